import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// A native CronJob as a Component's workload (WorkloadDefinition `cronjobs.batch`), end to end
/// on the embedded plane and on the real kit (whose kube-controller-manager runs the cronjob
/// controller): the AppConfig applies the CronJob with its schedule and job template, an edit of
/// the Component's schedule reaches it, and a resync writes nothing.
@Suite("CronJob workload")
struct CronJobWorkloadTests {
    static let cronJob = GroupVersionKind(group: "batch", version: "v1", kind: "CronJob")

    static func component(schedule: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: report}
        spec:
          workload:
            apiVersion: batch/v1
            kind: CronJob
            spec:
              schedule: "\(schedule)"
              jobTemplate:
                spec:
                  backoffLimit: 1
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: report, image: "busybox:1.36", command: [sh, -c, "echo report"]}]
        """
    }

    static let appConfig = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: reports}
        spec:
          components:
          - componentName: report
        """

    @Test("a CronJob component is applied with its schedule, follows an edit of it, and a resync writes nothing",
          arguments: Substrate.available)
    func cronJobComponent(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.component(schedule: "*/5 * * * *") + "\n---\n" + Self.appConfig)
            let created = try await runtime.waitFor(Self.cronJob, "report")
            #expect(created.spec?["schedule"] == "*/5 * * * *")
            #expect(created.valueIfPresent(at: "spec.jobTemplate.spec.template.spec.containers[0].image") == "busybox:1.36")
            #expect(created.controllerReference?.kind == ApplicationConfiguration.kind)
            #expect(created.controllerReference?.name == "reports")
            #expect(created.labels[OAM.Label.appName] == "reports")
            #expect(created.labels[OAM.Label.component] == "report")
            // The API server defaulted what the Component leaves out, as for any CronJob.
            #expect(created.spec?["concurrencyPolicy"] == "Allow")
            #expect(created.spec?["suspend"] == false)

            let app = try await runtime.waitFor(Kinds.appConfig, "reports") { app in
                app.status?["workloads"]?.arrayValue?.first?["workloadRef"]?["kind"] == "CronJob"
            }
            #expect(app.status?["workloads"]?.arrayValue?.first?["workloadRef"]?["apiVersion"] == "batch/v1")
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (Self.cronJob, "report"), (Kinds.appConfig, "reports"),
            ]) })

            try await runtime.edit(Kinds.component, "report") { component in
                try component.setValue("0 3 * * *", at: "spec.workload.spec.schedule")
            }
            try await runtime.waitFor(Self.cronJob, "report") { $0.spec?["schedule"] == "0 3 * * *" }
        }
    }
}
