/** The most instances one `up` runs: beyond this is more likely a typo than a wish. */
export const MAX_INSTANCES = 100;
