import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { JupyterHubArgs, resolveJupyterHubArgs } from "./args";
import { gpuPrePuller } from "./gpu-prepuller";
import { hubNamespace } from "./namespace";
import { jupyterHubRelease, proxyServiceAccount } from "./release";
import { hubSecrets, mlflowProvisionerSecret } from "./secrets";
import { jupyterHubValues } from "./values";

// The component's argument types; the parts are imported from their own files.
export type { JupyterHubArgs, NotebookProfile } from "./args";

/**
 * JupyterHub (Zero to JupyterHub chart) in its own namespace: CPU and GPU server profiles,
 * per-user volumes, idle culling, MLflow wired into every notebook, and shared-password or OAuth sign-in
 * with the secret kept in a Kubernetes Secret. Needs a Kubernetes provider through opts.
 */
export class JupyterHub extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** Command that exposes the hub on http://localhost:8080. */
    public readonly portForwardCommand: pulumi.Output<string>;
    /** API token of the `platform-verify` JupyterHub service (secret), for `npm run verify`. */
    public readonly verifyToken: pulumi.Output<string>;
    /** Generated shared user password (secret), shared-password auth only. */
    public readonly userPassword: pulumi.Output<string> | undefined;
    /** Generated admin password (secret) for `adminUsers`, shared-password auth only. */
    public readonly adminPassword: pulumi.Output<string> | undefined;
    /** The hub's metrics endpoint, for the monitoring layer. */
    public readonly scrapeTargets: ScrapeTarget[];
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: JupyterHubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:JupyterHub", name, {}, opts);
        const a = resolveJupyterHubArgs(args);
        const namespace = hubNamespace(name, this, a.deleteVolumesWithWorkload);
        const secrets = hubSecrets(name, this, a.auth, namespace);
        this.verifyToken = secrets.verifyToken;
        this.userPassword = secrets.userPassword;
        this.adminPassword = secrets.adminPassword;
        const proxySa = proxyServiceAccount(name, this, namespace);
        const provisioner = mlflowProvisionerSecret(name, this, namespace, args.mlflowAdminPassword);
        this.release = jupyterHubRelease(
            name,
            this,
            namespace,
            jupyterHubValues(a, args.mlflowTrackingUri, args.mlflowAdminPassword !== undefined),
            [secrets.authSecret, proxySa, ...provisioner, ...(args.loadBalancerController ? [args.loadBalancerController] : [])],
        );
        gpuPrePuller(name, this, namespace, a.profiles);

        this.namespace = namespace;
        this.portForwardCommand = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/proxy-public 8080:80`;
        this.scrapeTargets = [
            // z2jh labels the hub Service `app: jupyterhub, component: hub` (chart name, not release name); port "hub" is 8081.
            { name: "jupyterhub", namespace, namespaceName: NAMESPACES.jupyterhub, selector: { app: "jupyterhub", component: "hub" }, port: "hub", path: "/hub/metrics" },
        ];
        this.registerOutputs({
            namespace: this.namespace,
            portForwardCommand: this.portForwardCommand,
            userPassword: this.userPassword,
            adminPassword: this.adminPassword,
            verifyToken: this.verifyToken,
        });
    }
}
