// A reading-view call site, as a frontend writes it: typed by openapi-typescript from the
// live OpenAPI document, called through openapi-fetch with no casts and no media-type
// workaround. tsc --strict checks it; node runs the compiled file against a live server.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const base = process.env.QUELLEN_BASE ?? "http://127.0.0.1:8000";
const key = process.env.QUELLEN_KEY ?? "";
const client = createClient<paths>({ baseUrl: base });

async function main(): Promise<void> {
  const documents = await client.GET("/v1/documents", { params: { query: { limit: 2 } } });
  if (documents.error) throw new Error(documents.error.detail ?? documents.error.title);
  const first = documents.data.items[0];
  if (first === undefined) throw new Error("no documents");
  const document = await client.GET("/v1/documents/{document_id}", {
    params: { path: { document_id: first.id } },
  });
  const footnotes = await client.GET("/v1/documents/{document_id}/footnotes", {
    params: { path: { document_id: first.id } },
  });
  const hits = await client.GET("/v1/search", { params: { query: { q: "Moyne", limit: 3 } } });
  const created = await client.POST("/v1/entities", {
    body: { id: "typescript-client-check", type: "term", name: "TypeScript client check" },
    headers: { Authorization: `Bearer ${key}` },
  });
  const next: string | null = documents.data.next;
  console.log(
    JSON.stringify({
      title: document.data?.title ?? null,
      footnotes: footnotes.data?.items.map((note) => note.marker) ?? [],
      hits: hits.data?.items.length ?? 0,
      created: created.data?.id ?? null,
      createdStatus: created.response.status,
      next,
    }),
  );
}

await main();
