import { Component, type ErrorInfo, type ReactNode } from 'react';

/**
 * Around each page: a page that throws while rendering shows the error in its
 * place, with the message, instead of taking the whole console down (React
 * unmounts everything above a throw that nothing catches). The header and
 * the other pages keep working; the page is tried again when the route changes.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn('a console page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="card warn" role="alert" data-testid="page-error">
        <h2>This page failed to show</h2>
        <p>
          <code>{error.message || error.name}</code>
        </p>
        <p>The rest of the console works; reload to try this page again, or pick another page above.</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </section>
    );
  }
}
