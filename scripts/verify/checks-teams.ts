/**
 * Verify checks of what teams use: isolation between teams (SubjectAccessReview), a Job admitted
 * through each team's LocalQueue, and every model endpoint healthy.
 */
import * as k8s from "@kubernetes/client-node";
import { teamGroups } from "../../components/tenancy";
import { fail, probePod, VerifyContext } from "./context";
import { request } from "./http";
import { deleteIgnoringMissing, withTunnel } from "./kube";
import { Check, waitFor } from "./runner";

// ---------------------------------------------------------------------------------------------
// 6. Teams
// ---------------------------------------------------------------------------------------------

/** Asks the API server whether a team's members may do something (SubjectAccessReview). */
async function allowed(ctx: VerifyContext, team: string, attrs: k8s.V1ResourceAttributes): Promise<boolean> {
    const r = await ctx.kube.authz.createSubjectAccessReview({
        body: { spec: { user: `verify:${team}-member`, groups: [teamGroups(team).members, "system:authenticated"], resourceAttributes: attrs } },
    });
    return r.status?.allowed === true;
}

export const teamIsolation: Check<VerifyContext> = {
    name: "teams: isolation (SubjectAccessReview)",
    timeoutSeconds: 120,
    async run(ctx) {
        const teams = Object.entries(ctx.targets.teams);
        if (teams.length === 0) {
            return { skip: "no teams configured" };
        }
        const problems: string[] = [];
        let reviews = 0;
        for (const [team, namespaces] of teams) {
            // A positive control: without it, a broken review (or a wrong group name) would pass every denial.
            reviews++;
            if (!(await allowed(ctx, team, { namespace: namespaces[0], verb: "create", resource: "pods" }))) {
                problems.push(`${team} cannot create pods in its own namespace ${namespaces[0]}`);
            }
            reviews++;
            if (await allowed(ctx, team, { namespace: "jupyterhub", verb: "get", resource: "pods" })) {
                problems.push(`${team} can read pods in jupyterhub (their env holds users' API tokens)`);
            }
            for (const [other, otherNs] of teams.filter(([o]) => o !== team)) {
                for (const ns of otherNs) {
                    reviews++;
                    if (await allowed(ctx, team, { namespace: ns, verb: "get", resource: "secrets" })) {
                        problems.push(`${team} can read Secrets in ${other}'s namespace ${ns}`);
                    }
                }
            }
        }
        if (problems.length) {
            fail(problems.join("; "));
        }
        return `${teams.length} teams, ${reviews} access reviews as expected`;
    },
};

// ---------------------------------------------------------------------------------------------
// 7. Queues and serving
// ---------------------------------------------------------------------------------------------

export const queueAdmission: Check<VerifyContext> = {
    name: "queues: a CPU Job admitted through each team's LocalQueue",
    timeoutSeconds: 300,
    async run(ctx, scope) {
        const queues = Object.entries(ctx.targets.queues);
        if (queues.length === 0) {
            return { skip: "no training queues configured" };
        }
        const waits: string[] = [];
        for (const [team, queue] of queues) {
            const namespace = ctx.targets.teams[team]?.[0] ?? fail(`queue of team ${team} but the team has no namespace`);
            const name = `verify-${ctx.runId}`;
            const pod = probePod(name, ctx.images.probe, ["true"]);
            const created = Date.now();
            await ctx.kube.batch.createNamespacedJob({
                namespace,
                body: {
                    // Kueue's job webhook admits a Job only through the queue its label names.
                    metadata: { name, labels: { "kueue.x-k8s.io/queue-name": queue, "app.kubernetes.io/managed-by": "verify" } },
                    spec: { backoffLimit: 0, activeDeadlineSeconds: 240, ttlSecondsAfterFinished: 600, template: { metadata: pod.metadata, spec: pod.spec } },
                },
            });
            scope.defer(`Job ${namespace}/${name}`, () => deleteIgnoringMissing(() => ctx.kube.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" })));
            await waitFor(scope, `${team}: Job admitted and complete`, async () => {
                const job = await ctx.kube.batch.readNamespacedJob({ name, namespace });
                if ((job.status?.failed ?? 0) > 0) {
                    fail(`Job ${namespace}/${name} failed`);
                }
                return (job.status?.succeeded ?? 0) > 0 ? true : undefined;
            }, ctx.pollMs);
            waits.push(`${team} ${((Date.now() - created) / 1000).toFixed(0)} s`);
        }
        return `admitted and completed: ${waits.join(", ")}`;
    },
};

export const modelEndpoints: Check<VerifyContext> = {
    name: "serving: every model endpoint healthy",
    timeoutSeconds: 120,
    async run(ctx) {
        if (ctx.targets.models.length === 0) {
            return { skip: "no models configured" };
        }
        const bad: string[] = [];
        for (const m of ctx.targets.models) {
            const r = await withTunnel(ctx.reach, m, (address) => request(`http://${address}${m.healthPath}`)).catch((e: Error) => ({ status: 0, text: e.message }));
            if (r.status !== 200) {
                bad.push(`${m.name}: ${r.status || r.text}`);
            }
        }
        if (bad.length) {
            fail(`unhealthy: ${bad.join("; ")}`);
        }
        return `${ctx.targets.models.length} endpoint(s) healthy`;
    },
};
