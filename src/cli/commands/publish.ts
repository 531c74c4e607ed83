// `strata publish --dataset D --period P`: runs the dataset's publish SQL (core into mart) for one period.
import { registerPeriodScriptCommand } from '../stage-database-options.js';

export const registerPublish = registerPeriodScriptCommand('publish', 'core into mart');
