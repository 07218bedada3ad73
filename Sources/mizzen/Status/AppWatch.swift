import OrderedCollections
import KubeClient
import OAMControllers
import OAM
import Resources
import Synchronization

/// Wakes whoever follows an application when something about it changes: the AppConfig itself
/// (watched by name) and the kinds of the objects it owns (watched by the `app.oam.dev/name`
/// label its workloads and traits carry), each through a list-then-watch that resumes after a
/// broken connection. `wait` uses it instead of reading the application again and again.
final class AppWatch: Sendable {
    enum Wake: Sendable {
        /// Something watched changed (or was listed afresh).
        case changed
    }

    let client: KubernetesClient
    let app: String
    let namespace: String
    /// The stream of wakes; the first comes as soon as the AppConfig's watch has listed.
    let wakes: AsyncStream<Wake>
    private let continuation: AsyncStream<Wake>.Continuation
    private let tasks = Mutex<[GroupVersionKind: Task<Void, Never>]>([:])

    init(client: KubernetesClient, app: String, namespace: String) {
        self.client = client
        self.app = app
        self.namespace = namespace
        (wakes, continuation) = AsyncStream<Wake>.makeStream(bufferingPolicy: .bufferingNewest(1))
        start(OAMKinds.applicationConfiguration, labelSelector: nil, fieldSelector: "metadata.name=\(app)")
    }

    /// Watches `kinds` too (those not watched yet), for the objects labelled as the application's.
    func watch(_ kinds: [GroupVersionKind]) {
        let selector = try? LabelSelector(parsing: "\(OAM.Label.appName)=\(app)")
        for kind in kinds { start(kind, labelSelector: selector, fieldSelector: nil) }
    }

    /// The kinds of every object `report` names.
    static func kinds(of report: AppReport) -> [GroupVersionKind] {
        report.components.flatMap { component in
            ([component.workload].compactMap { $0 } + component.traits + component.scopes).map {
                GroupVersionKind(apiVersion: $0.apiVersion, kind: $0.kind)
            }
        }
    }

    /// Stops every watch.
    func stop() {
        continuation.finish()
        tasks.withLock { tasks in
            for task in tasks.values { task.cancel() }
            tasks.removeAll()
        }
    }

    private func start(_ kind: GroupVersionKind, labelSelector: LabelSelector?, fieldSelector: String?) {
        tasks.withLock { tasks in
            guard tasks[kind] == nil, !kind.kind.isEmpty else { return }
            let stream = client.watchForever(
                kind, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                backoff: Backoff(initial: .milliseconds(200), maximum: .seconds(5)))
            let continuation = continuation
            tasks[kind] = Task {
                for await _ in stream { continuation.yield(.changed) }
            }
        }
    }
}
