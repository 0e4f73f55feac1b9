/**
 * Request and response types of spool's HTTP API, generated from its /openapi.json by
 * clients/typescript/scripts/generate-types.ts. Do not edit: run the script again.
 */
export {};
