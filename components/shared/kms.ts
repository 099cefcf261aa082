/**
 * KMS key-policy statements several layers' keys share.
 */

/**
 * Lets CloudWatch Logs in this account and region use the key for log groups of this account only
 * (the encryption context names the log group ARN).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function cloudWatchLogsStatement(partition: string, region: string, accountId: string): Record<string, unknown> {
    return {
        Sid: "CloudWatchLogsForThisAccount",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` } },
    };
}
