/** Fingerprints and times the tests of other apps' keys share (main/vault/other-keys*.ts). */
export const FP_A = 'a'.repeat(64);
export const FP_B = 'b'.repeat(64);
export const PGP_1 = '1'.repeat(40);
export const PGP_2 = '2'.repeat(40);
export const DAY = 24 * 60 * 60 * 1000;
export const T0 = new Date('2026-12-01T10:00:00Z');
