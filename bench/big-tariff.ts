import { readFileSync } from "node:fs";
import { parse } from "yaml";

/**
 * kr.yaml grown to `models` car models: its own models first, then copies of them in turn with new ids
 * (`sonata-dn8-f0123`) and names, every other rule unchanged. Returned as JSON, which the tariff reader
 * accepts as well as YAML.
 */
export function bigKrTariff(models: number): string {
  const text = readFileSync(new URL("../examples/tariffs/kr.yaml", import.meta.url), "utf8");
  const document = parse(text, { schema: "core" }) as { carModels: { id: string; name: string }[] };
  const originals = document.carModels;
  const carModels = [...originals];
  for (let i = carModels.length; i < models; i++) {
    const model = originals[i % originals.length] as { id: string; name: string };
    const n = String(i).padStart(4, "0");
    carModels.push({ ...model, id: `${model.id}-f${n}`, name: `${model.name} #${n}` });
  }
  return JSON.stringify({ ...document, carModels });
}
