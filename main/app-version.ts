/** The app's version, from package.json (inlined by the bundler). */
import { version } from '../package.json';

export const APP_VERSION: string = version;
