import { useEffect, useRef } from 'react';

/**
 * Infinite scroll with a visible, focusable "Load more" button: the button is the keyboard and
 * screen-reader path, the observer loads the next page when the button scrolls into view.
 */
export function LoadMore({ hasMore, loading, onLoadMore, label = 'Load more' }: { hasMore: boolean; loading: boolean; onLoadMore: () => void; label?: string }) {
  const button = useRef<HTMLButtonElement>(null);
  const latest = useRef(onLoadMore);
  latest.current = onLoadMore;
  const busy = useRef(loading);
  busy.current = loading;
  useEffect(() => {
    const element = button.current;
    if (!element || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !busy.current) latest.current();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore]);
  if (!hasMore) return null;
  return (
    <button ref={button} type="button" className="button secondary load-more" onClick={onLoadMore} aria-disabled={loading}>
      {loading ? 'Loading…' : label}
    </button>
  );
}
