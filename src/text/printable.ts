// Text that came from somewhere sshpod does not control — a pod's replies and stderr, an API
// server's messages, a credential plugin — is printed on a person's terminal only through this.
// Control characters there would be executed by the terminal: escape sequences that set the window
// title, clear the screen, draw fake prompts or plant OSC 8 links. C0 (but tab), DEL, C1, and the
// Unicode controls that reorder or hide text (bidi overrides, zero-width joiners) become visible
// escapes such as `\x1b` or `\u202e`; everything else passes unchanged.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every character a terminal would act on made visible. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}
