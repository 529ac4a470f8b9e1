/**
 * The console's single page: a hash router (#/pipeline, #/budget, #/securities, #/security/IBM, #/dead-letters)
 * rendering one page at a time into <main>. A page may return a stop function (its polling timer).
 */
import { ApiError } from './api.ts';
import { problem } from './dom.ts';
import { budgetPage } from './pages/budget.ts';
import { deadLettersPage } from './pages/dead-letters.ts';
import { pipelinePage } from './pages/pipeline.ts';
import { securitiesPage } from './pages/securities.ts';
import { securityPage } from './pages/security.ts';

export type Page = (root: HTMLElement, argument: string) => Promise<(() => void) | undefined>;

const PAGES: Record<string, Page> = {
  pipeline: pipelinePage,
  budget: budgetPage,
  securities: securitiesPage,
  security: securityPage,
  'dead-letters': deadLettersPage,
};

let stop: (() => void) | undefined;

async function render(): Promise<void> {
  stop?.();
  stop = undefined;
  const [name = 'pipeline', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const root = document.getElementById('app') as HTMLElement;
  root.replaceChildren();
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    link.classList.toggle('active', link.dataset.page === (name === 'security' ? 'securities' : name));
  }
  const page = PAGES[name];
  if (!page) {
    root.append(problem(`no page "${name}": choose one above`));
    return;
  }
  root.dataset.page = name;
  try {
    stop = await page(root, decodeURIComponent(rest.join('/')));
  } catch (error) {
    root.replaceChildren(
      problem(error instanceof ApiError ? error.message : `the page failed: ${String(error)}`),
    );
  } finally {
    root.dataset.ready = 'true';
  }
}

window.addEventListener('hashchange', () => {
  delete (document.getElementById('app') as HTMLElement).dataset.ready;
  void render();
});
void render();
