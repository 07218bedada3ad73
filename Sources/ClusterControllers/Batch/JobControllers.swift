import ControllerRuntime
import Resources

/// The Job and CronJob controllers: the Job controller (Pods to completion, counted through
/// the tracking finalizer), its clean-up of orphan Pods' finalizers, the TTL-after-finished
/// controller and the CronJob controller. Their timing is `context.options.jobs`
/// (``JobOptions``).
enum JobControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {
        let manager = context.manager

        let jobReconciler = JobReconciler(context: context)
        let jobController = Controller(
            name: "job", reconciler: jobReconciler, primary: jobReconciler.jobs, workers: context.workers,
            logger: context.logger)
        jobReconciler.jobs.addHandler { event in
            if case .updated(let old, let new) = event, new.resourceVersion == old.resourceVersion { return }
            await jobController.enqueue(ObjectKey(event.object))
        }
        jobReconciler.pods.addHandler { event in
            var keys: Set<ObjectKey> = []
            if case .updated(let old, _) = event, let key = JobReconciler.jobKey(of: old) { keys.insert(key) }
            if let key = JobReconciler.jobKey(of: event.object) { keys.insert(key) }
            for key in keys { await jobController.enqueue(key) }
        }
        manager.add(jobController)

        let orphans = OrphanPodReconciler(context: context)
        let orphanController = Controller(
            name: "job-orphan-pods", reconciler: orphans, primary: orphans.pods, workers: 1, logger: context.logger)
        orphans.pods.addHandler { event in
            if case .deleted = event { return }
            if JobSync.isTracked(event.object) { await orphanController.enqueue(ObjectKey(event.object)) }
        }
        orphans.jobs.addHandler { event in
            // A Job gone or finished leaves its tracked Pods to this controller.
            if case .updated = event, !JobStatus(event.object.status).isFinished { return }
            if case .added = event { return }
            guard let uid = event.object.uid else { return }
            for key in orphans.pods.cache.keys(index: Indexes.controllerOwner, value: uid) {
                await orphanController.enqueue(key)
            }
        }
        manager.add(orphanController)

        let ttl = TTLAfterFinishedReconciler(context: context)
        let ttlController = Controller(
            name: "ttl-after-finished", reconciler: ttl, primary: ttl.jobs, workers: 1, logger: context.logger)
        ttl.jobs.addHandler { event in
            if case .deleted = event { return }
            if TTLAfterFinishedReconciler.expiry(of: event.object) != nil { await ttlController.enqueue(ObjectKey(event.object)) }
        }
        manager.add(ttlController)

        let cronJobs = CronJobReconciler(context: context)
        let cronJobController = Controller(
            name: "cronjob", reconciler: cronJobs, primary: cronJobs.cronJobs, workers: context.workers,
            logger: context.logger)
        cronJobs.cronJobs.addHandler { event in
            if case .updated(let old, let new) = event, !new.differsBeyondStatus(from: old) { return }
            await cronJobController.enqueue(ObjectKey(event.object))
        }
        cronJobs.jobs.addHandler { event in
            var keys: Set<ObjectKey> = []
            if case .updated(let old, _) = event, let key = CronJobReconciler.cronJobKey(of: old) { keys.insert(key) }
            if let key = CronJobReconciler.cronJobKey(of: event.object) { keys.insert(key) }
            for key in keys { await cronJobController.enqueue(key) }
        }
        manager.add(cronJobController)
    }
}
