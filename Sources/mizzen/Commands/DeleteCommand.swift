import ArgumentParser
import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an application: its ApplicationConfiguration and every object it owns.",
        discussion: """
            Lists what goes — the ApplicationConfiguration, its workloads and traits, and what \
            those own (the Deployment and Service of a ContainerizedWorkload…), found by \
            following ownerReferences — then deletes the ApplicationConfiguration with \
            foreground propagation: the garbage collector deletes its dependents first, then \
            the ApplicationConfiguration itself. Components, definitions, scopes and the \
            application's other inputs (Secrets, ConfigMaps of the files) stay.

            The list is a table on a terminal, tab-separated when piped; -o json or yaml \
            writes it as data. --dry-run lists and deletes nothing. --wait waits until every \
            listed object is gone.

            Exit codes: 0 deleted (and gone with --wait), 1 no such application or an error, \
            2 invalid input, 4 something was still there when --timeout ran out.

            Examples:
              mizzen delete shop --dry-run
              mizzen delete shop --wait
              mizzen delete shop -n staging --wait --timeout 2m
            """)

    @Argument(help: "The ApplicationConfiguration.")
    var app: String

    @OptionGroup var target: TargetOptions

    @Flag(help: "List what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(help: "Wait until every listed object is gone.")
    var wait = false

    @Option(help: ArgumentHelp("How long --wait waits (30s, 5m, 1h).", valueName: "duration"))
    var timeout: WaitDuration = WaitDuration(seconds: 120)

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of the table.")
    var output: DataFormat?

    @OptionGroup var style: StyleOptions

    func validate() throws {
        if dryRun, wait { throw ValidationError("--wait has nothing to wait for with --dry-run") }
    }

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        try await connected.use { target in
            let client = target.client
            let appConfig: Resource
            do {
                appConfig = try await client.get(OAMKinds.applicationConfiguration, name: app, namespace: target.namespace)
            } catch let error as APIError where error.reason == .notFound {
                throw CommandFailure(
                    "ApplicationConfiguration \(app) not found in namespace \(target.namespace)",
                    hint: "`kubectl get applicationconfigurations -n \(target.namespace)` lists them; -n picks another namespace")
            }
            let owned = try await OwnedObjects(client: client).collect(appConfig)
            let objects = [(object: appConfig, owner: nil as Resource?)] + owned.map { ($0.object, $0.owner) }
            StandardOutput.write(Self.render(objects, format: output, terminal: terminal))
            if dryRun {
                StandardError.write("dry run: nothing was deleted (\(objects.count) object\(objects.count == 1 ? "" : "s") listed)")
                return
            }
            do {
                try await client.delete(
                    OAMKinds.applicationConfiguration, name: app, namespace: target.namespace, propagationPolicy: .foreground)
            } catch let error as APIError where error.reason == .notFound {
                // Gone in the meantime: what was asked for is done.
            }
            StandardError.write("\(ApplyPlan.resourceName(of: appConfig))/\(app) deleted")
            guard wait else { return }
            let remaining = try await Self.waitUntilGone(objects.map(\.object), client: client, timeout: timeout.duration)
            guard remaining.isEmpty else {
                throw CommandFailure(
                    "\(remaining.count) object\(remaining.count == 1 ? " is" : "s are") still there after \(timeout): "
                        + remaining.map { "\($0.kind)/\($0.name)" }.joined(separator: ", "),
                    hint: "finalizers may hold them (`kubectl get KIND NAME -o yaml` shows them)", status: ExitStatus.timeout)
            }
            StandardError.write("all \(objects.count) object\(objects.count == 1 ? " is" : "s are") gone")
        }
    }

    /// The objects as a table (KIND NAME OWNER) or as data.
    static func render(_ objects: [(object: Resource, owner: Resource?)], format: DataFormat?, terminal: Terminal) -> String {
        func owner(_ owner: Resource?) -> String { owner.map { "\($0.kind)/\($0.name)" } ?? "-" }
        switch format {
        case let format?:
            let items: [JSONValue] = objects.map { entry in
                var members: JSONObject = [
                    "apiVersion": .string(entry.object.apiVersion), "kind": .string(entry.object.kind),
                    "name": .string(entry.object.name),
                ]
                if let namespace = entry.object.namespace { members["namespace"] = .string(namespace) }
                if let value = entry.owner { members["owner"] = .string(owner(value)) }
                return .object(members)
            }
            return format.text(.array(items))
        case nil:
            let table = Table(["KIND", "NAME", "OWNER"], rows: objects.map { [$0.object.kind, $0.object.name, owner($0.owner)] })
            return table.render(on: terminal)
        }
    }

    /// Polls until none of `objects` exists any more (or another object of the same name, with
    /// another uid, replaced it); returns those still there when `timeout` runs out.
    static func waitUntilGone(_ objects: [Resource], client: KubernetesClient, timeout: Duration) async throws -> [Resource] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var remaining = objects
        while true {
            var still: [Resource] = []
            for object in remaining {
                do {
                    let live = try await client.get(object.groupVersionKind, name: object.name, namespace: object.namespace)
                    if live.uid == object.uid { still.append(object) }
                } catch let error as APIError where error.reason == .notFound {
                } catch let error as ClientError where error.kind == .noMatch {
                }
            }
            remaining = still
            if remaining.isEmpty || clock.now >= deadline { return remaining }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
