/** @jsxImportSource hono/jsx */
/** A page that could not be shown: not found, not allowed, storage unavailable. */
import { PageHead } from "../layout.tsx";

export function ProblemPage({ status, message }: { status: number; message: string }) {
  const title = status === 404 ? "Not found" : status === 403 ? "Not allowed" : status === 503 ? "Storage unavailable" : "Something went wrong";
  return (
    <>
      <PageHead title={title} sub={`${status}: ${message}`} />
      <p><a href="/">Back to the overview</a></p>
    </>
  );
}
