import OrderedCollections
import OAMControllers
import KubeClient
import OAM
import Resources

/// Every object that belongs to an application, by uid: the AppConfig, what it owns through
/// `ownerReferences` (``OwnedObjects``), the scopes its components are in, the objects labelled
/// `app.oam.dev/name=APP`, and the Pods, ReplicaSets and Jobs those own in turn — the subjects of
/// `mizzen events APP`. Objects that appear later are told apart by ``belongs(_:)``, which walks
/// an object's owners up to one it knows.
final class ApplicationObjects {
    /// Kinds below the workloads that ``OwnedObjects`` does not list.
    static let descendantKinds = [
        GroupVersionKind(group: "", version: "v1", kind: "Pod"),
        GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet"),
        GroupVersionKind(group: "apps", version: "v1", kind: "DaemonSet"),
        GroupVersionKind(group: "batch", version: "v1", kind: "Job"),
        GroupVersionKind(group: "batch", version: "v1", kind: "CronJob"),
    ]

    let client: KubernetesClient
    let app: String
    let namespace: String
    /// uid → `Kind/name` of every object known to belong.
    private(set) var members: [String: String] = [:]
    /// `Kind/name` of every member, for Events that carry no uid.
    private(set) var references: Set<String> = []
    /// Name prefixes (`web-7d9f8c-`) of the Pods members create, for Events about Pods gone since.
    private(set) var podPrefixes: Set<String> = []
    /// uids known not to belong.
    private var strangers: Set<String> = []

    init(client: KubernetesClient, app: String, namespace: String) {
        self.client = client
        self.app = app
        self.namespace = namespace
    }

    /// Finds the members of the application `appConfig` stands for.
    func collect(_ appConfig: Resource, report: AppReport) async throws {
        add(appConfig)
        for entry in try await OwnedObjects(client: client).collect(appConfig) { add(entry.object) }
        for component in report.components {
            for object in [component.workload].compactMap({ $0 }) + component.traits + component.scopes {
                if let live = try? await client.get(apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: namespace) {
                    add(live)
                }
            }
        }
        var listed: [Resource] = []
        for kind in Self.descendantKinds {
            listed += (try? await client.listAll(kind, namespace: namespace))?.items ?? []
        }
        var added = true
        while added {
            added = false
            for object in listed {
                guard let uid = object.uid, members[uid] == nil else { continue }
                if object.labels[OAM.Label.appName] == app || object.ownerReferences.contains(where: { members[$0.uid] != nil }) {
                    add(object)
                    added = true
                }
            }
        }
    }

    /// Whether the object an Event is about belongs: a member, a Pod named after a member, or an
    /// object whose owners lead to a member (read from the server and remembered).
    func belongs(_ involved: JSONValue?) async -> Bool {
        guard let involved else { return false }
        let kind = involved["kind"]?.stringValue ?? ""
        let name = involved["name"]?.stringValue ?? ""
        if let uid = involved["uid"]?.stringValue, !uid.isEmpty {
            if members[uid] != nil { return true }
            if strangers.contains(uid) { return false }
        }
        if references.contains("\(kind)/\(name)") { return true }
        if kind == "Pod", podPrefixes.contains(where: { name.hasPrefix($0) }) { return true }
        guard let apiVersion = involved["apiVersion"]?.stringValue, !kind.isEmpty, !name.isEmpty else { return false }
        return await ownersLeadHere(apiVersion: apiVersion, kind: kind, name: name, depth: 0)
    }

    private func ownersLeadHere(apiVersion: String, kind: String, name: String, depth: Int) async -> Bool {
        guard depth < 5, let object = try? await client.get(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace),
            let uid = object.uid
        else { return false }
        if members[uid] != nil { return true }
        if strangers.contains(uid) { return false }
        var found = object.labels[OAM.Label.appName] == app
        for owner in object.ownerReferences where !found {
            found = members[owner.uid] != nil
            if !found, !strangers.contains(owner.uid) {
                found = await ownersLeadHere(apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, depth: depth + 1)
            }
        }
        if found { add(object) } else { strangers.insert(uid) }
        return found
    }

    private func add(_ object: Resource) {
        guard let uid = object.uid else { return }
        members[uid] = "\(object.kind)/\(object.name)"
        references.insert("\(object.kind)/\(object.name)")
        switch object.kind {
        case "ReplicaSet", "Job", "StatefulSet", "DaemonSet": podPrefixes.insert(object.name + "-")
        default: break
        }
    }
}
