/**
 * The `@pulumi/aws` services the program uses, each imported from its own module. Use it as
 * `import * as aws from "../shared/aws"`; `aws.ec2.Vpc` and the rest read as before.
 *
 * Why not `import * as aws from "@pulumi/aws"`: that index (7.48.0, `index.js`) `require`s all
 * ~260 service modules up front, ~0.2 s of every evaluation, preview and `pulumi up`, while the
 * program uses eight of them. A service module (`@pulumi/aws/eks/index.js`) is the same object
 * the root exports (Node caches modules by path) and registers its resource modules itself, so a
 * resource reference the engine returns (the eks component's `eksCluster`, read in
 * cluster/control-plane.ts) still becomes an `aws.eks.Cluster`: @pulumi/pulumi 3.270.0
 * `runtime/rpc.js` (`deserializeProperty`, `specialResourceSig`) rebuilds references only through
 * `registerResourceModule`/`registerResourcePackage`, and falls back to the id or URN for a type
 * whose module is not loaded. The one thing only the root registers is the `aws` provider package,
 * so an `aws` provider reference in an output (eks's `awsProvider`) stays its id; nothing reads it.
 * test/shared/sdk-imports.test.ts checks both with the real SDK. Add a service here when a part
 * needs one (the type check names what is missing).
 */
export { Provider } from "@pulumi/aws/provider";
export type { Region } from "@pulumi/aws/types/enums";
export { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
export { getRegionOutput } from "@pulumi/aws/getRegion";
export * as autoscaling from "@pulumi/aws/autoscaling";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as ec2 from "@pulumi/aws/ec2";
export * as eks from "@pulumi/aws/eks";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as rds from "@pulumi/aws/rds";
export * as s3 from "@pulumi/aws/s3";
export * as vpc from "@pulumi/aws/vpc";
