// Minimal typings for js-yaml 4 (the package ships none): only what the tests use.
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
