/** Files imported as text or as embedded file paths (bun build embeds both). */
declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*.lua" {
  const text: string;
  export default text;
}
declare module "*.js" {
  const path: string;
  export default path;
}
declare module "*.css" {
  const path: string;
  export default path;
}
declare module "*.svg" {
  const path: string;
  export default path;
}
