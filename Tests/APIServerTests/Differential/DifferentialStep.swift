/// One step of the differential script: a kubectl command or a raw API request, run the same way
/// against the embedded plane and against a real kube-apiserver.
///
/// Arguments, input and paths may hold placeholders, filled per server before the step runs:
/// `{ns}` (the run's namespace), `{run}` (the run's identifier), `{certfile}`/`{keyfile}` (a TLS
/// key pair written for the run) and `{NAME}` for a value an earlier step captured on that server.
struct DifferentialStep: Sendable {
    enum Action: Sendable {
        case kubectl([String], stdin: String?)
        /// A request sent with curl and the server's credentials; the answer's status, `Warning`
        /// headers and body are compared.
        case request(method: String, path: String, body: String?, contentType: String?, accept: String?)
    }

    let area: DifferentialArea
    /// Unique within the script; accepted differences refer to it.
    let id: String
    let action: Action
    /// Stores the step's trimmed standard output (or response body) under this placeholder name.
    var capture: String?

    /// What the step runs, for reports.
    var summary: String {
        switch action {
        case .kubectl(let arguments, let stdin):
            return "kubectl " + arguments.joined(separator: " ") + (stdin == nil ? "" : " < manifest")
        case .request(let method, let path, _, let contentType, let accept):
            var text = "\(method) \(path)"
            if let contentType { text += " (Content-Type: \(contentType))" }
            if let accept { text += " (Accept: \(accept))" }
            return text
        }
    }
}

/// The areas of the API the script covers; the summary table counts results per area.
enum DifferentialArea: String, CaseIterable, Sendable {
    case namespaces = "namespaces"
    case generators = "kubectl create generators (protobuf)"
    case configAndSecrets = "ConfigMaps and Secrets"
    case workloads = "Deployments and Services"
    case typing = "typed decoding and field validation"
    case defaults = "defaults"
    case validation = "validation"
    case getOutput = "get output formats"
    case selectorsAndPaging = "selectors and paging"
    case watch = "watch"
    case clientSideApply = "client-side apply"
    case serverSideApply = "server-side apply"
    case diff = "diff"
    case patch = "patches"
    case subresources = "subresources"
    case wait = "wait"
    case deletion = "deletion and cascading"
    case dryRun = "dry-run"
    case customResources = "custom resources"
    case explain = "explain and OpenAPI"
    case discovery = "discovery and version"
    case auth = "auth"
    case badInput = "bad input"
    case podsAndControllers = "Pods, ReplicaSets, DaemonSets, Jobs and CronJobs"
    case accessControl = "RBAC and ServiceAccounts"
    case clusterKinds = "Nodes, Endpoints, quotas, limits, priorities and events.k8s.io"
    case networkingAndPolicy = "Ingresses, NetworkPolicies, PodDisruptionBudgets, HorizontalPodAutoscalers and EndpointSlices"
    // The controllers session (WorkloadDifferentialTests): the plane's controllers against
    // kube-controller-manager's, both with Mizzen's simulated node.
    case nodeAndPods = "the node, scheduling and the pod lifecycle"
    case rollouts = "Deployment rollouts"
    case statefulAndDaemon = "StatefulSets and DaemonSets running"
    case batchRuns = "Jobs and CronJobs running"
    case serviceRouting = "Endpoints, EndpointSlices, autoscalers, budgets, quotas and aggregated roles"

    /// The areas of the controllers session.
    static let controllerAreas: Set<DifferentialArea> = [
        .nodeAndPods, .rollouts, .statefulAndDaemon, .batchRuns, .serviceRouting,
    ]
}
