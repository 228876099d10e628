"use client";

import { type KeyboardEvent, useRef } from "react";
import styles from "./dashboard.module.css";

export type Filter = "all" | "open" | "done";

const FILTERS: readonly { value: Filter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "open", label: "Open" },
  { value: "done", label: "Done" },
];

/**
 * All / Open / Done, as an ARIA tab list: one tab stop, arrow keys (and Home/End) move
 * between tabs and select them (WAI-ARIA Authoring Practices, "Tabs with automatic activation").
 */
export function FilterTabs({
  value,
  onChange,
  counts,
  controls,
}: {
  value: Filter;
  onChange: (filter: Filter) => void;
  counts: Record<Filter, number>;
  controls: string;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const select = (index: number) => {
    const next = FILTERS[(index + FILTERS.length) % FILTERS.length];
    if (next === undefined) return;
    onChange(next.value);
    refs.current[FILTERS.indexOf(next)]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: FILTERS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    select(target);
  };

  return (
    <div role="tablist" aria-label="Filter tasks" className={styles.tabs}>
      {FILTERS.map((filter, index) => {
        const selected = filter.value === value;
        return (
          <button
            key={filter.value}
            ref={(element) => {
              refs.current[index] = element;
            }}
            id={`filter-${filter.value}`}
            type="button"
            role="tab"
            aria-selected={selected}
            aria-controls={controls}
            tabIndex={selected ? 0 : -1}
            className={styles.tab}
            data-testid={`filter-${filter.value}`}
            onClick={() => onChange(filter.value)}
            onKeyDown={(event) => onKeyDown(event, index)}
          >
            {filter.label}
            <span className={styles.tabCount} aria-hidden="true">
              {counts[filter.value]}
            </span>
          </button>
        );
      })}
    </div>
  );
}
