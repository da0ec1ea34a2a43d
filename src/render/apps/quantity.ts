// Kubernetes quantities from the resolved numbers.
const MI = 2 ** 20;
const GI = 2 ** 30;

export const cpuQuantity = (millis: number): string => (millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`);

export function memoryQuantity(bytes: number): string {
  if (bytes % GI === 0) return `${bytes / GI}Gi`;
  if (bytes % MI === 0) return `${bytes / MI}Mi`;
  return String(Math.ceil(bytes));
}
