/**
 * The notebooks layer's keys (components/jupyter-hub/settings.ts): per-preset defaults, and every
 * rule the component used to check itself, now refused by the key that sets the value.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILES, JUPYTER_HUB_KEYS, resolveNotebookSettings } from "../../components/jupyter-hub/settings";
import { INGRESS_KEYS } from "../../components/shared/ingress-settings";
import { ConfigError, Preset, RawConfig, SecretConfig, Settings } from "../../components/shared/settings";
import { CERT, OAUTH, PRODUCTION, SANDBOX } from "./fixtures";

const KEYS = { ...JUPYTER_HUB_KEYS, ...INGRESS_KEYS };
/** What a production stack sets: OAuth and the Ingress (the component fixtures' values). */
const PROD: RawConfig = {
    jupyterAdminUsers: JSON.stringify(PRODUCTION.adminUsers),
    oidcClientId: OAUTH.clientId,
    oidcAuthorizeUrl: OAUTH.authorizeUrl,
    oidcTokenUrl: OAUTH.tokenUrl,
    oidcUserinfoUrl: OAUTH.userdataUrl,
    jupyterIngressHost: PRODUCTION.ingress!.host,
    ingressCertificateArn: CERT,
};
const SECRETS: SecretConfig = { oidcClientSecret: "client-secret" };
const resolve = (preset: Preset, raw: RawConfig = {}, secrets: SecretConfig = SECRETS) =>
    resolveNotebookSettings(new Settings<keyof typeof KEYS>(KEYS, preset === "production" ? { ...PROD, ...raw } : raw, secrets, preset));
const p0 = DEFAULT_PROFILES[0];
const profiles = (...list: object[]) => ({ notebookProfiles: JSON.stringify(list) });

describe("notebook settings: defaults per preset (the key table owns them)", () => {
    it("gives the sandbox shared-password sign-in, the default profiles and no Ingress", () => {
        // Exactly the component fixture's sandbox arguments (literal values in fixtures.ts).
        const { mlflowTrackingUri: _uri, deleteVolumesWithWorkload: _delete, ...sandbox } = SANDBOX;
        expect(resolve("sandbox")).toEqual({ ...sandbox, ingress: undefined });
        expect(sandbox).toMatchObject({ adminUsers: ["admin"], notebookStorageGiB: 10, cullTimeoutMinutes: 60, gpuCullTimeoutMinutes: 30, profiles: DEFAULT_PROFILES });
    });

    it("gives production OAuth with the callback on the Ingress host", () => {
        expect(resolve("production")).toEqual({
            // The callback URL follows from jupyterIngressHost.
            auth: { ...OAUTH, clientSecret: "client-secret" },
            adminUsers: ["alice@example.com"],
            allowedUsers: [],
            profiles: DEFAULT_PROFILES,
            notebookStorageGiB: 50,
            cullTimeoutMinutes: 120,
            gpuCullTimeoutMinutes: 60,
            ingress: { host: "notebooks.example.com", certificateArn: CERT, scheme: "internal" },
        });
        expect(JUPYTER_HUB_KEYS.notebookProfiles.default).toEqual({ sandbox: DEFAULT_PROFILES, production: DEFAULT_PROFILES });
    });

    it("caps the GPU idle timeout's default at a shorter general one", () => {
        expect(resolve("sandbox", { cullTimeoutMinutes: "10" }).gpuCullTimeoutMinutes).toBe(10);
    });
});

describe("notebook settings: errors name the key, the value and what is valid", () => {
    it.each<[string, Preset, RawConfig, string, string]>([
        ["an unknown sign-in", "sandbox", { jupyterAuth: "ldap" }, "jupyterAuth", "must be one of shared-password, oauth"],
        ["an empty client id", "production", { oidcClientId: " " }, "oidcClientId", 'mlplatform:oidcClientId = " ": must not be empty'],
        ["an empty username claim", "production", { oidcUsernameClaim: "" }, "oidcUsernameClaim", 'mlplatform:oidcUsernameClaim = "": must not be empty'],
        ["a plain-HTTP token endpoint", "production", { oidcTokenUrl: "http://idp/token" }, "oidcTokenUrl", 'mlplatform:oidcTokenUrl = "http://idp/token": must be an https:// URL'],
        ["a host that is no DNS name (the OAuth callback's host)", "production", { jupyterIngressHost: "Bad Host" }, "jupyterIngressHost", 'mlplatform:jupyterIngressHost = "Bad Host": must be a fully qualified DNS name'],
        ["OAuth without admins", "production", { jupyterAdminUsers: "[]" }, "jupyterAdminUsers", "mlplatform:jupyterAdminUsers = []: must name at least one admin with oauth sign-in, or nobody can administer the hub"],
        ["a bad admin name", "sandbox", { jupyterAdminUsers: '["a b"]' }, "jupyterAdminUsers", 'mlplatform:jupyterAdminUsers = ["a b"]: entry (a b) must be a user name of letters, digits and ._@+- (at most 128 characters)'],
        ["a bad allowed name", "sandbox", { jupyterAllowedUsers: '["-x"]' }, "jupyterAllowedUsers", 'mlplatform:jupyterAllowedUsers = ["-x"]: entry (-x) must be a user name'],
        ["a zero home volume", "sandbox", { notebookStorageGiB: "0" }, "notebookStorageGiB", "mlplatform:notebookStorageGiB = 0: must be between 1 and 1024"],
        ["a 1-minute cull", "sandbox", { cullTimeoutMinutes: "1" }, "cullTimeoutMinutes", "mlplatform:cullTimeoutMinutes = 1: must be between 5 and 10080"],
        ["a 4-minute GPU cull", "sandbox", { gpuCullTimeoutMinutes: "4" }, "gpuCullTimeoutMinutes", "mlplatform:gpuCullTimeoutMinutes = 4: must be between 5 and 10080"],
        ["a GPU cull above the general one", "sandbox", { cullTimeoutMinutes: "30", gpuCullTimeoutMinutes: "60" }, "gpuCullTimeoutMinutes", "mlplatform:gpuCullTimeoutMinutes = 60: must be at most cullTimeoutMinutes (30): the hub culler stops GPU servers at cullTimeoutMinutes anyway"],
        ["profiles that are not a list", "sandbox", { notebookProfiles: '{"slug":"x"}' }, "notebookProfiles", "must be a list of objects"],
        ["no profiles", "sandbox", { notebookProfiles: "[]" }, "notebookProfiles", "mlplatform:notebookProfiles = []: must list at least one profile"],
        ["a slug that is no DNS label", "sandbox", profiles({ ...p0, slug: "Big" }), "notebookProfiles", "profiles[].slug (Big) must be a lowercase DNS label"],
        ["a slug used twice", "sandbox", profiles(p0, p0), "notebookProfiles", "profiles[].slug (small-cpu) is used twice; slugs must be unique"],
        ["an empty display name", "sandbox", profiles({ ...p0, displayName: "" }), "notebookProfiles", 'profiles[small-cpu].displayName ("") must not be empty'],
        ["a CPU limit below the guarantee", "sandbox", profiles({ ...p0, cpuGuarantee: 2, cpuLimit: 1 }), "notebookProfiles", "profiles[small-cpu].cpuGuarantee (2) and cpuLimit (1) must satisfy 0 < guarantee <= limit <= 192"],
        ["a memory size in G", "sandbox", profiles({ ...p0, memoryLimit: "4G" }), "notebookProfiles", 'profiles[small-cpu].memoryLimit (4G) must be a whole quantity in Mi, Gi or Ti, e.g. "4Gi"'],
        ["a memory limit below the guarantee", "sandbox", profiles({ ...p0, memoryGuarantee: "8Gi" }), "notebookProfiles", "profiles[small-cpu].memoryLimit (4Gi) must be at least memoryGuarantee (8Gi)"],
        ["9 GPUs", "sandbox", profiles({ ...p0, gpus: 9 }), "notebookProfiles", "profiles[small-cpu].gpus (9) must be a whole number from 0 to 8"],
        ["an unpinned profile image", "sandbox", profiles({ ...p0, image: "x:latest" }), "notebookProfiles", "profiles[small-cpu].image (x:latest) must be name:tag with a pinned tag (not latest)"],
        ["two default profiles", "sandbox", profiles(p0, { ...p0, slug: "b" }), "notebookProfiles", 'mlplatform:notebookProfiles = ["small-cpu","b"]: marks 2 profiles as default; at most one may be'],
        ["a certificate that is no ACM ARN", "production", { ingressCertificateArn: "arn:aws:iam::123456789012:server-certificate/x" }, "ingressCertificateArn", 'mlplatform:ingressCertificateArn = "arn:aws:iam::123456789012:server-certificate/x": must be an ACM certificate ARN'],
        ["shared-password sign-in in production", "production", { jupyterAuth: "shared-password" }, "jupyterAuth", "production needs oauth"],
        ["an Ingress in a sandbox", "sandbox", { jupyterIngressHost: "nb.example.com", ingressCertificateArn: CERT }, "jupyterIngressHost", "a sandbox reaches JupyterHub by port-forward"],
    ])("refuses %s", (_name, preset, raw, key, message) => {
        const run = () => resolve(preset, raw);
        expect(run).toThrow(ConfigError);
        expect(run).toThrow(message);
        try {
            run();
        } catch (e) {
            expect((e as ConfigError).key).toBe(key);
        }
    });

    it("refuses OAuth without its client secret", () => {
        expect(() => resolve("production", {}, {})).toThrow("mlplatform:oidcClientSecret = undefined: oauth sign-in needs the client secret");
    });
});
