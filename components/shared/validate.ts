/**
 * Argument checks shared by the components' resolve functions. Each throws an Error that names
 * the argument, the bad value and what is valid (config.ts maps the argument to its config key).
 */

/** `value` must be an integer in [min, max]. */
export function wholeNumber(arg: string, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`${arg} (${value}) must be a whole number from ${min} to ${max}`);
    }
}

/** An https:// URL with a host. */
export const HTTPS_URL = /^https:\/\/[^\s/]+[^\s]*$/;

/** `value` must be an https:// URL with a host. */
export function httpsUrl(arg: string, value: string): void {
    if (typeof value !== "string" || !HTTPS_URL.test(value)) {
        throw new Error(`${arg} (${value}) must be an https:// URL`);
    }
}
