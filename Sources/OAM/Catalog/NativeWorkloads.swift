public import Resources

/// WorkloadDefinitions for the native kinds people put in Components directly: Deployment,
/// StatefulSet, DaemonSet, Job and CronJob. They have no CRD (the API server serves the kinds);
/// the definition is what lets traits name them in `appliesToWorkloads`, lets validation find
/// a definition for the workload, and tells pod-template traits where the pod spec is
/// (`podSpecPath`).
///
/// None of them declares `childResourceKinds`: each is itself the object that runs Pods — a
/// scaler scales it, an autoscaler or budget targets it and a pod-template trait patches it,
/// which is what ``TraitWorkload`` does for a workload without children. Naming the Deployment's
/// ReplicaSets or the CronJob's Jobs as children would make traits act on objects the kind's own
/// controller owns and rewrites (a ReplicaSet scaled by hand is scaled back; a Job's template is
/// immutable). The HealthScope judges each kind by its own status (a CronJob by its Jobs).
extension StandardCatalog {
    /// `deployments.apps`.
    static var deploymentWorkload: StandardCatalogEntry {
        nativeWorkload(
            name: "deployments.apps", apiVersion: "apps/v1", kind: "Deployment",
            podSpecPath: "spec.template.spec",
            summary: "A Deployment as a component's workload: scaled, autoscaled and patched directly; "
                + "healthy when all its replicas are ready.",
            spec: """
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                        - name: web
                          image: nginx:1.27
                """)
    }

    /// `statefulsets.apps`.
    static var statefulSetWorkload: StandardCatalogEntry {
        nativeWorkload(
            name: "statefulsets.apps", apiVersion: "apps/v1", kind: "StatefulSet",
            podSpecPath: "spec.template.spec",
            summary: "A StatefulSet as a component's workload: scaled and patched directly; "
                + "healthy when all its replicas are ready.",
            spec: """
                  serviceName: db
                  replicas: 1
                  selector:
                    matchLabels: {app: db}
                  template:
                    metadata:
                      labels: {app: db}
                    spec:
                      containers:
                        - name: db
                          image: postgres:16
                """)
    }

    /// `daemonsets.apps`.
    static var daemonSetWorkload: StandardCatalogEntry {
        nativeWorkload(
            name: "daemonsets.apps", apiVersion: "apps/v1", kind: "DaemonSet",
            podSpecPath: "spec.template.spec",
            summary: "A DaemonSet as a component's workload: one Pod per node; "
                + "healthy when every node's Pod is ready.",
            spec: """
                  selector:
                    matchLabels: {app: agent}
                  template:
                    metadata:
                      labels: {app: agent}
                    spec:
                      containers:
                        - name: agent
                          image: fluent/fluent-bit:3.0
                """)
    }

    /// `jobs.batch`.
    static var jobWorkload: StandardCatalogEntry {
        nativeWorkload(
            name: "jobs.batch", apiVersion: "batch/v1", kind: "Job",
            podSpecPath: "spec.template.spec",
            summary: "A Job as a component's workload: runs to completion; healthy once complete, "
                + "unhealthy while running or when it failed.",
            spec: """
                  backoffLimit: 2
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: migrate
                          image: busybox:1.36
                          command: ["sh", "-c", "echo migrated"]
                """)
    }

    /// `cronjobs.batch`.
    static var cronJobWorkload: StandardCatalogEntry {
        nativeWorkload(
            name: "cronjobs.batch", apiVersion: "batch/v1", kind: "CronJob",
            podSpecPath: "spec.jobTemplate.spec.template.spec",
            summary: "A CronJob as a component's workload: Jobs on a schedule; healthy unless its "
                + "latest finished Job failed.",
            spec: """
                  schedule: "*/5 * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers:
                            - name: report
                              image: busybox:1.36
                              command: ["sh", "-c", "date"]
                """)
    }

    /// The names of the native workload definitions, as traits list them in `appliesToWorkloads`.
    public static let nativeWorkloadNames = [
        "deployments.apps", "statefulsets.apps", "daemonsets.apps", "jobs.batch", "cronjobs.batch",
    ]

    /// A WorkloadDefinition for a kind the API server serves itself.
    private static func nativeWorkload(
        name: String, apiVersion: String, kind: String, podSpecPath: String, summary: String, spec: String
    ) -> StandardCatalogEntry {
        let resourceName = String(name.prefix { $0 != "." }).dropLast()
        // `spec` is indented by two; the workload's spec sits at six.
        let body = spec.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let example = """
            apiVersion: core.oam.dev/v1alpha2
            kind: Component
            metadata:
              name: \(resourceName)
            spec:
              workload:
                apiVersion: \(apiVersion)
                kind: \(kind)
                spec:
            \(body)
            """
        return StandardCatalogEntry(
            definition: definition(kind: WorkloadDefinition.kind, name: name, spec: [
                "definitionRef": ["name": .string(name)],
                "podSpecPath": .string(podSpecPath),
            ]),
            customResourceDefinition: nil, example: example, summary: summary)
    }
}
