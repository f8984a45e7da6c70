// @vitest-environment node
import { ESLint } from 'eslint';
import { expect, it } from 'vitest';

// Messages and notes come from customers and staff: they are text, never markup. The lint
// config makes `{@html}` an error; this checks the config still says so.
it('refuses {@html} in a component', async () => {
  // The project's own config, running only the Svelte rules: the type-aware ones would spend
  // seconds starting a TypeScript service this rule doesn't need.
  const eslint = new ESLint({
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId.startsWith('svelte/'),
  });
  const source =
    '<script lang="ts">\n  let { text }: { text: string } = $props();\n</script>\n\n<p>{@html text}</p>\n';
  const [result] = await eslint.lintText(source, { filePath: 'src/App.svelte' });
  const rules = result?.messages.map((m) => `${m.ruleId ?? 'parse'}:${m.severity}`) ?? [];
  expect(rules).toContain('svelte/no-at-html-tags:2');
}, 30_000);
