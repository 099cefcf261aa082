/**
 * The `@pulumi/kubernetes` API groups the program uses, each imported from its own module. Use it
 * as `import * as k8s from "../shared/kubernetes"`; `k8s.core.v1.Namespace` and the rest read as
 * before.
 *
 * Why not `import * as k8s from "@pulumi/kubernetes"`: that index (4.34.2, `index.js`) `require`s
 * every API group and `helm`, whose `helm/v3/index.js` loads the `Chart` class (`helm.js`), which
 * loads `yaml/yaml.js`, glob and every API group version again; the program only needs
 * `helm.v3.Release` (`helm/v3/release.js`). The root's only other work is registering the
 * `kubernetes` provider package, used by @pulumi/pulumi 3.270.0 `runtime/rpc.js` only to rebuild a
 * provider reference returned by the engine (none is read here). See aws.ts and
 * test/shared/sdk-imports.test.ts.
 */
import { Release as HelmRelease } from "@pulumi/kubernetes/helm/v3/release";

export { Provider } from "@pulumi/kubernetes/provider";
export type * as types from "@pulumi/kubernetes/types";
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as apps from "@pulumi/kubernetes/apps";
export * as autoscaling from "@pulumi/kubernetes/autoscaling";
export * as batch from "@pulumi/kubernetes/batch";
export * as core from "@pulumi/kubernetes/core";
export * as networking from "@pulumi/kubernetes/networking";
export * as policy from "@pulumi/kubernetes/policy";
export * as rbac from "@pulumi/kubernetes/rbac";
export * as storage from "@pulumi/kubernetes/storage";

/** `helm.v3.Release` alone: `@pulumi/kubernetes/helm/v3/index.js` would load the `Chart` class and with it every API group. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export namespace helm.v3 {
    export const Release = HelmRelease;
    export type Release = HelmRelease;
}
