// Types of format.js, for the tests that run it in node (the page itself is plain JS).
export function displayUnit(unit: string | null | undefined): string;
export function engineeringExponent(value: number): number;
export function scaledUnit(exponent: number, unit: string | null | undefined): string;
export function fixed(value: number, decimals: number): string;
export function formatQuantity(value: number | null | undefined, unit: string | null | undefined, digits?: number): string;
export function tickLabels(ticks: readonly number[], step: number, unit: string | null | undefined): { labels: string[]; unit: string };
export function logTickLabels(ticks: readonly number[], unit: string | null | undefined): { labels: string[]; unit: string };
export function axisTitle(label: string, unitText: string): string;
export function formatLocalMs(ms: number, withTime?: boolean): string;
export function localMs(date: string, time?: string | null): number;
export function count(n: number): string;
