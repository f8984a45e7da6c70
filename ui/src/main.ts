// The UI's entry point: styles, the document language and theme, and the app mounted into #app.
import './app.css';

import { mount } from 'svelte';

import App from './App.svelte';
import { applyTheme } from './lib/appearance';
import { getLocale } from './lib/i18n/index.svelte';

document.documentElement.lang = getLocale();
// The system's light or dark before the first paint; Settings may choose otherwise.
applyTheme('system');

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
