import { describe, expect, it } from "vitest";
import { JupyterHub, JupyterHubArgs, resolveJupyterHubArgs } from "../../components/jupyter-hub";
import { DEFAULT_PROFILES } from "../../components/jupyter-hub/args";
import { NOTEBOOK_VERSIONS } from "../../components/shared/versions";
import { allRecords, resetRecords } from "../mocks";
import { CERT, OAUTH, URI } from "./fixtures";

describe("resolveJupyterHubArgs", () => {
    it("applies the documented defaults", () => {
        const a = resolveJupyterHubArgs({});
        expect(a.auth).toEqual({ type: "shared-password" });
        expect(a.adminUsers).toEqual([]);
        expect(a.allowedUsers).toEqual([]);
        expect(a.notebookStorageGiB).toBe(10);
        expect(a.hubStorageGiB).toBe(1);
        expect(a.storageClassName).toBe("gp3");
        expect(a.cullTimeoutMinutes).toBe(60);
        expect(a.gpuCullTimeoutMinutes).toBe(30);
        expect(a.cpuImage).toBe(NOTEBOOK_VERSIONS.cpuImage);
        expect(a.gpuImage).toBe(NOTEBOOK_VERSIONS.gpuImage);
        expect(a.ingress).toBeUndefined();
        expect(a.deleteVolumesWithWorkload).toBe(false);
        expect(a.profiles.map((p) => [p.slug, p.cpuGuarantee, p.cpuLimit, p.memoryGuarantee, p.memoryLimit, p.gpus, p.image, p.default])).toEqual([
            ["small-cpu", 1, 1, "4Gi", "4Gi", 0, NOTEBOOK_VERSIONS.cpuImage, true],
            ["large-cpu", 3, 4, "12Gi", "16Gi", 0, NOTEBOOK_VERSIONS.cpuImage, false],
            ["gpu", 3, 4, "12Gi", "16Gi", 1, NOTEBOOK_VERSIONS.gpuImage, false],
        ]);
        expect(resolveJupyterHubArgs({ cullTimeoutMinutes: 10 }).gpuCullTimeoutMinutes).toBe(10);
    });

    const p0 = DEFAULT_PROFILES[0];
    it.each<[string, Omit<JupyterHubArgs, "mlflowTrackingUri">, string]>([
        ["auth type", { auth: { type: "ldap" } as any }, 'auth.type (ldap) must be "shared-password" or "oauth"'],
        ["empty client id", { auth: { ...OAUTH, clientId: " " }, adminUsers: ["a"] }, 'auth.clientId (" ") must not be empty'],
        ["empty claim", { auth: { ...OAUTH, usernameClaim: "" }, adminUsers: ["a"] }, 'auth.usernameClaim ("") must not be empty'],
        ["http token url", { auth: { ...OAUTH, tokenUrl: "http://idp/token" }, adminUsers: ["a"] }, "auth.tokenUrl (http://idp/token) must be an https:// URL"],
        ["callback path", { auth: { ...OAUTH, callbackUrl: "https://x.example.com/cb" }, adminUsers: ["a"] }, "auth.callbackUrl (https://x.example.com/cb) must end with /hub/oauth_callback"],
        ["oauth without admins", { auth: OAUTH }, "adminUsers ([]) must name at least one admin with oauth auth, or nobody can administer the hub"],
        ["bad admin", { adminUsers: ["a b"] }, "adminUsers entry (a b) must be a user name of letters, digits and ._@+- (at most 128 characters)"],
        ["bad allowed", { allowedUsers: ["-x"] }, "allowedUsers entry (-x) must be a user name of letters, digits and ._@+- (at most 128 characters)"],
        ["storage", { notebookStorageGiB: 0 }, "notebookStorageGiB (0) must be a whole number from 1 to 1024"],
        ["hub storage", { hubStorageGiB: 1.5 }, "hubStorageGiB (1.5) must be a whole number from 1 to 100"],
        ["cull", { cullTimeoutMinutes: 1 }, "cullTimeoutMinutes (1) must be a whole number from 5 to 10080"],
        ["gpu cull", { gpuCullTimeoutMinutes: 4 }, "gpuCullTimeoutMinutes (4) must be a whole number from 5 to 10080"],
        ["gpu cull > cull", { cullTimeoutMinutes: 30, gpuCullTimeoutMinutes: 60 }, "gpuCullTimeoutMinutes (60) must be at most cullTimeoutMinutes (30): the hub culler stops GPU servers at cullTimeoutMinutes anyway"],
        ["latest image", { cpuImage: "quay.io/jupyter/scipy-notebook:latest" }, "cpuImage (quay.io/jupyter/scipy-notebook:latest) must be name:tag with a pinned tag (not latest)"],
        ["untagged image", { gpuImage: "quay.io/jupyter/pytorch-notebook" }, "gpuImage (quay.io/jupyter/pytorch-notebook) must be name:tag with a pinned tag (not latest)"],
        ["no profiles", { profiles: [] }, "profiles ([]) must list at least one profile"],
        ["slug", { profiles: [{ ...p0, slug: "Big" }] }, "profiles[].slug (Big) must be a lowercase DNS label"],
        ["duplicate slug", { profiles: [p0, p0] }, "profiles[].slug (small-cpu) is used twice; slugs must be unique"],
        ["display name", { profiles: [{ ...p0, displayName: "" }] }, 'profiles[small-cpu].displayName ("") must not be empty'],
        ["cpu", { profiles: [{ ...p0, cpuGuarantee: 2, cpuLimit: 1 }] }, "profiles[small-cpu].cpuGuarantee (2) and cpuLimit (1) must satisfy 0 < guarantee <= limit <= 192"],
        ["memory unit", { profiles: [{ ...p0, memoryLimit: "4G" }] }, 'profiles[small-cpu].memoryLimit (4G) must be a whole quantity in Mi, Gi or Ti, e.g. "4Gi"'],
        ["memory order", { profiles: [{ ...p0, memoryGuarantee: "8Gi" }] }, "profiles[small-cpu].memoryLimit (4Gi) must be at least memoryGuarantee (8Gi)"],
        ["gpus", { profiles: [{ ...p0, gpus: 9 }] }, "profiles[small-cpu].gpus (9) must be a whole number from 0 to 8"],
        ["profile image", { profiles: [{ ...p0, image: "x:latest" }] }, "profiles[small-cpu].image (x:latest) must be name:tag with a pinned tag (not latest)"],
        ["two defaults", { profiles: [p0, { ...p0, slug: "b" }] }, "profiles mark 2 profiles as default; at most one may be"],
        ["ingress host", { ingress: { host: "Bad Host", certificateArn: CERT } }, "ingress.host (Bad Host) must be a fully qualified DNS name"],
        ["ingress certificate", { ingress: { host: "a.example.com", certificateArn: "arn:aws:iam::123456789012:server-certificate/x" } }, "ingress.certificateArn (arn:aws:iam::123456789012:server-certificate/x) must be an ACM certificate ARN"],
    ])("rejects %s", (_, args, message) => {
        expect(() => resolveJupyterHubArgs(args)).toThrow(message);
    });

    it("throws before registering any resource", () => {
        resetRecords();
        expect(() => new JupyterHub("bad", { mlflowTrackingUri: URI, notebookStorageGiB: 0 })).toThrow("notebookStorageGiB");
        expect(allRecords().filter((r) => r.type !== "mlplatform:index:JupyterHub")).toHaveLength(0);
    });
});
