// Types of ticks.js, for the tests that run it in node (the page itself is plain JS).
export function linearTicks(min: number, max: number, target?: number): { ticks: number[]; step: number };
export function logTicks(min: number, max: number, target?: number): { ticks: number[] };
export function timeTicks(min: number, max: number, target?: number, minStep?: number): { ticks: number[]; labels: string[]; step: number };
