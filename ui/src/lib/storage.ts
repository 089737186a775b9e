// Things a person saves between visits (saved filters, composer templates, theme),
// kept in localStorage and validated on the way back in.

import type { Draft } from './compose';

export type SavedFilter = { name: string; filter: string };
/** A named composer draft (whether it goes to a user is chosen each time, not saved). */
export type Template = { name: string } & Omit<Draft, 'toUser'>;

function read(key: string): unknown {
  try {
    const text = globalThis.localStorage?.getItem(key);
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the item lives for this visit only.
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const allStrings = (v: Record<string, unknown>, keys: string[]): boolean => keys.every((k) => typeof v[k] === 'string');

export function loadFilters(): SavedFilter[] {
  const value = read('switchboard.filters');
  return Array.isArray(value) ? value.filter((v): v is SavedFilter => isRecord(v) && allStrings(v, ['name', 'filter'])) : [];
}

export function saveFilters(filters: SavedFilter[]): void {
  write('switchboard.filters', filters);
}

const TEMPLATE_KEYS = ['name', 'mode', 'app', 'channels', 'event', 'data', 'socket', 'user'];

export function loadTemplates(): Template[] {
  const value = read('switchboard.templates');
  const isTemplate = (v: unknown): v is Template =>
    isRecord(v) && allStrings(v, TEMPLATE_KEYS) && ['server', 'client', 'raw'].includes(v.mode as string);
  return Array.isArray(value) ? value.filter(isTemplate) : [];
}

export function saveTemplates(templates: Template[]): void {
  write('switchboard.templates', templates);
}

export type Theme = 'dark' | 'light';

export function loadTheme(): Theme {
  const value = read('switchboard.theme');
  if (value === 'dark' || value === 'light') return value;
  return globalThis.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function saveTheme(theme: Theme): void {
  write('switchboard.theme', theme);
}

/** Adds or replaces (by name) an item in a list. */
export function upsert<T extends { name: string }>(list: readonly T[], item: T): T[] {
  return [...list.filter((x) => x.name !== item.name), item].sort((a, b) => a.name.localeCompare(b.name));
}
