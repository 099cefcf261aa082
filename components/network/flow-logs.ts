/**
 * VPC flow logs (all traffic) to a CloudWatch log group the layer declares, optionally encrypted
 * with a KMS key of its own (checklist LOG-01).
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudWatchLogsStatement } from "../shared/kms";
import { NetworkArgs } from "./args";

/** The flow-log group, the role the service writes with, and the flow log on the VPC. */
export function flowLogs(name: string, a: NetworkArgs, vpcId: pulumi.Input<string>, parent: pulumi.ComponentResource): void {
    const key = a.flowLogKms ? flowLogKey(name, parent) : undefined;
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
        retentionInDays: a.flowLogRetentionDays,
        kmsKeyId: key?.arn,
    }, { parent });
    const role = new aws.iam.Role(`${name}-flow-logs`, {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
    }, { parent });
    new aws.iam.RolePolicy(`${name}-flow-logs`, {
        role: role.id,
        policy: logGroup.arn.apply((arn) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [arn, `${arn}:*`],
            }],
        })),
    }, { parent });
    new aws.ec2.FlowLog(`${name}-flow-log`, {
        vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
    }, { parent });
}

/** KMS key for the flow-log group: rotated, 30-day window, usable by CloudWatch Logs in this account only. */
function flowLogKey(name: string, parent: pulumi.ComponentResource): aws.kms.Key {
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const region = aws.getRegionOutput({}, { parent }).region;
    return new aws.kms.Key(`${name}-flow-logs-key`, {
        description: `${name}: VPC flow logs`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.all([account, partition, region]).apply(([acct, part, reg]) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: `arn:${part}:iam::${acct}:root` }, Action: "kms:*", Resource: "*" },
                cloudWatchLogsStatement(part, reg, acct),
            ],
        })),
    }, { parent, protect: true, retainOnDelete: true });
}
