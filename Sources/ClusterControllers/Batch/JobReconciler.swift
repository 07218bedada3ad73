import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources

/// The Job controller (kube-controller-manager's `job-controller`): runs a Job's Pods to
/// completion and keeps its status — see ``JobSync`` for the decisions; this type reads the
/// caches and makes the writes, with kube's Events (`SuccessfulCreate` "Created pod: NAME",
/// `SuccessfulDelete` "Deleted pod: NAME", `Completed` "Job completed", a `Warning` named after
/// the failure reason, `Suspended`, `Resumed`).
///
/// A Job whose `spec.managedBy` names another controller is left alone, as kube does.
final class JobReconciler: Reconciler {
    static let component = "job-controller"
    static let ownController = "kubernetes.io/job-controller"

    let jobs: Informer
    let pods: Informer
    let client: KubernetesClient
    let events: any EventSink
    let options: JobOptions
    let expectations = JobExpectations()

    init(context: ClusterContext) {
        jobs = context.manager.informer(for: JobSync.kind)
        pods = context.manager.informer(for: Pods.kind)
        client = context.client
        events = context.events(of: Self.component)
        options = context.options.jobs
    }

    /// The Pods `job` controls.
    func pods(of job: Resource) -> [Resource] {
        guard let uid = job.uid else { return [] }
        return pods.cache.objects(index: Indexes.controllerOwner, value: uid).filter {
            $0.namespace == job.namespace && $0.controllerReference?.kind == "Job"
        }
    }

    /// The key of the Job controlling `pod`, if any.
    static func jobKey(of pod: Resource) -> ObjectKey? {
        guard let reference = pod.controllerReference, reference.kind == "Job",
            GroupVersion.group(ofAPIVersion: reference.apiVersion) == "batch"
        else { return nil }
        return ObjectKey(namespace: pod.namespace, name: reference.name)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let job = jobs.cache.get(key) else {
            expectations.forget(key)
            return .done
        }
        if let manager = job.spec?["managedBy"]?.stringValue, manager != Self.ownController { return .done }
        guard !JobStatus(job.status).isFinished else {
            expectations.forget(key)
            return .done
        }
        guard expectations.satisfied(key, cached: job, pods: pods.cache) else {
            // The caches are behind this controller's own writes; their events queue the Job again.
            return .requeue(after: .seconds(1))
        }
        let owned = pods(of: job)
        let now = options.now()
        var plan = JobSync.plan(
            job: job, pods: owned, now: now, backoff: JobTime.seconds(options.podFailureBackoff),
            maxBackoff: JobTime.seconds(options.maxPodFailureBackoff))
        var failure: (any Error)?

        for pod in plan.delete {
            do {
                if plan.untrackBeforeDelete, JobSync.isTracked(pod) {
                    try await untrack(pod)
                    expectations.unfinalized(pod, by: key)
                }
                try await client.delete(Pods.kind, name: pod.name, namespace: pod.namespace)
                expectations.deleted(pod, by: key)
                await events.record(on: job, type: .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
            } catch let error as APIError where error.reason == .notFound {
                continue
            } catch {
                await events.record(on: job, type: .warning, reason: "FailedDelete", message: "Error deleting: \(Self.describe(error))")
                failure = failure ?? error
            }
        }
        for (position, pod) in plan.create.enumerated() {
            do {
                let created = try await client.create(pod, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
                expectations.created(created.name, by: key)
                await events.record(on: job, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(created.name)")
            } catch {
                // The Pods not created are not active; the next sync tries again.
                plan.status.active -= plan.create.count - position
                if (error as? APIError)?.isNamespaceTerminating != true {
                    await events.record(on: job, type: .warning, reason: "FailedCreate", message: "Error creating: \(Self.describe(error))")
                }
                failure = failure ?? error
                break
            }
        }

        var current = job
        if !plan.removeFinalizers.isEmpty, plan.status != JobStatus(job.status) {
            current = try await writeStatus(plan.status, of: current, key: key)
        }
        var stillTracked = Set(owned.filter(JobSync.isTracked).compactMap(\.uid))
        for pod in plan.removeFinalizers {
            do {
                try await untrack(pod)
                expectations.unfinalized(pod, by: key)
                stillTracked.remove(pod.uid ?? "")
            } catch let error as APIError where error.reason == .notFound {
                stillTracked.remove(pod.uid ?? "")
            } catch {
                failure = failure ?? error
            }
        }
        let (status, finished) = JobSync.finish(plan.status, plan: plan, stillTracked: stillTracked, now: now)
        if status != JobStatus(current.status) {
            current = try await writeStatus(status, of: current, key: key)
        }
        if finished, let condition = plan.finished {
            if condition.type == "Complete" {
                if let completions = JobSync.Spec(job).completions, status.succeeded > completions {
                    await events.record(on: job, type: .warning, reason: "TooManySucceededPods",
                                        message: "Too many succeeded pods running after completion count reached")
                }
                await events.record(on: job, type: .normal, reason: "Completed", message: "Job completed")
            } else {
                await events.record(on: job, type: .warning, reason: condition.reason, message: condition.message)
            }
        }
        for event in plan.events {
            await events.record(on: job, type: .normal, reason: event.reason, message: event.message)
        }
        if let failure { throw failure }
        return plan.requeueAfter.map { .requeue(after: JobTime.delay($0)) } ?? .done
    }

    /// Removes the tracking finalizer of `pod`, with kube's patch.
    private func untrack(_ pod: Resource) async throws {
        _ = try await client.patch(
            Pods.kind, name: pod.name, namespace: pod.namespace,
            patch: ["metadata": ["$deleteFromPrimitiveList/finalizers": [.string(JobSync.trackingFinalizer)]]],
            type: .strategic, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
    }

    /// Replaces the Job's status (optimistically: a Job changed meanwhile answers `Conflict`
    /// and the sync starts over).
    private func writeStatus(_ status: JobStatus, of job: Resource, key: ObjectKey) async throws -> Resource {
        var updated = job
        updated.status = status.json
        let written = try await client.updateStatus(updated, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        expectations.wroteStatus(written, of: key)
        return written
    }

    /// The message of an API error, or the error.
    static func describe(_ error: any Error) -> String {
        (error as? APIError)?.message ?? "\(error)"
    }
}

extension APIError {
    /// The namespace is being deleted (creates in it fail until it is gone).
    var isNamespaceTerminating: Bool {
        message.contains("because it is being terminated")
    }
}
