// Job → pods until spec.completions succeed (or backoffLimit is exceeded), with the labels
// kube-controller-manager puts on job pods (job-name, controller-uid and their
// batch.kubernetes.io/ forms, set on the template at creation) and the Complete/Failed
// conditions `kubectl wait --for=condition=complete` watches for.
import type { Registry } from '../api/registry.ts';
import type { Store } from '../api/store.ts';
import { nowTimestamp } from '../api/store.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceByName } from '../api/resources.ts';
import type { Pod, Workload } from '../api/types.ts';
import { condition, isOwnedBy, isPodActive, isPodReady, podFromTemplate } from './util.ts';
import { WorkloadController } from './workload-controller.ts';

const jobs = (): ResourceType => resourceByName('jobs') as ResourceType;
const pods = (): ResourceType => resourceByName('pods') as ResourceType;

interface JobSpec {
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
  suspend?: boolean;
}

type Conditions = { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];

export class JobController extends WorkloadController {
  constructor(registry: Registry, store: Store, onError: (key: string, error: unknown) => void) {
    super(registry, store, onError, { resource: jobs, childKind: 'Pod' });
  }

  protected reconcile(job: Workload, namespace: string, name: string): void {
    const spec = job.spec as Workload['spec'] & JobSpec;
    const previous = ((job.status?.conditions ?? []) as Conditions).filter((c) => c.status === 'True');
    const finished = previous.some((c) => c.type === 'Complete' || c.type === 'Failed');
    const owned = (this.registry.store.list(pods(), namespace) as Pod[]).filter((p) => isOwnedBy(p, job));
    const active = owned.filter(isPodActive);
    const succeeded = owned.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed = owned.filter((p) => p.status?.phase === 'Failed').length;
    const completions = spec.completions ?? Math.max(1, succeeded);
    const now = nowTimestamp();
    const status: Record<string, unknown> = { ...(job.status ?? {}) };
    const conditions = (job.status?.conditions ?? []) as Conditions;

    let done = finished;
    if (!finished) {
      if (succeeded >= completions) {
        status.conditions = [
          condition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now, conditions, 'probe'),
          condition('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now, conditions, 'probe'),
        ];
        status.completionTime = now;
        done = true;
      } else if (failed > (spec.backoffLimit ?? 6)) {
        status.conditions = [
          condition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now, conditions, 'probe'),
          condition('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now, conditions, 'probe'),
        ];
        done = true;
      }
    }
    if (done) {
      for (const pod of active) this.registry.delete(pods(), namespace, pod.metadata.name);
    } else if (!spec.suspend) {
      status.startTime ??= now;
      const want = Math.min(spec.parallelism ?? 1, completions - succeeded);
      for (let i = active.length; i < want; i++) {
        this.registry.create(pods(), namespace, podFromTemplate(job.spec.template, job, { generateName: `${name}-` }));
      }
    }
    status.active = done ? 0 : active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = owned.filter((p) => p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? '')).length;
    status.succeeded = succeeded;
    status.failed = failed;
    status.uncountedTerminatedPods = {};
    for (const k of ['active', 'succeeded', 'failed']) if (status[k] === 0) delete status[k];
    this.registry.mutate(jobs(), namespace, name, (obj) => {
      obj.status = status;
    }, 'status');
  }
}
