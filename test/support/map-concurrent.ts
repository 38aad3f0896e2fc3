/** Runs `worker` over `inputs` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<I, O>(inputs: readonly I[], concurrency: number, worker: (input: I) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array<O>(inputs.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, inputs.length)) }, async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await worker(inputs[index] as I);
    }
  });
  await Promise.all(lanes);
  return results;
}
