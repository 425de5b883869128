// htm bound to Preact: html`<p>${x}</p>` in every module, no build step.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
