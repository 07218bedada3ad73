import ArgumentParser
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources

struct RevisionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revisions",
        abstract: "List a Component's revisions and the applications using each; show one, or diff two.",
        discussion: """
            Every change of a Component's spec is recorded as a revision, a ControllerRevision \
            named COMPONENT-vN. The list shows each with its number, its age and the \
            ApplicationConfigurations that use it: those that follow the component's latest \
            revision and run this one, and those that pin it with revisionName (marked \
            "pinned"). The latest revision is marked with * on a terminal.

            --show REVISION prints one revision's Component as YAML (-o json: as JSON). \
            --diff A B prints a unified diff of two revisions' Components. A revision is named \
            by its number (3), v3, or its full name (web-v3).

            Exit codes: 0 listed or shown, and for --diff no difference; 1 --diff found a \
            difference, or no such component or revision; 2 invalid input.

            Examples:
              mizzen revisions web
              mizzen revisions web -o json | jq '.[] | select(.inUseBy != [])'
              mizzen revisions web --show 2
              mizzen revisions web --diff 1 3
            """)

    @Argument(help: "The Component.")
    var component: String

    @Option(help: ArgumentHelp("Print this revision's Component.", valueName: "revision"))
    var show: String?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Diff two revisions' Components.", valueName: "revision revision"))
    var diff: [String] = []

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of the table (with --show: the Component as JSON or YAML).")
    var output: DataFormat?

    @OptionGroup var style: StyleOptions

    func validate() throws {
        if !diff.isEmpty, diff.count != 2 { throw ValidationError("--diff takes two revisions, as in --diff 1 3") }
        if show != nil, !diff.isEmpty { throw ValidationError("give --show or --diff, not both") }
        if !diff.isEmpty, output != nil { throw ValidationError("--diff prints a unified diff; -o does not apply") }
    }

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        let different = try await connected.use { target in
            let history = try await ComponentHistory.read(component: component, namespace: target.namespace, client: target.client)
            if let show {
                let revision = try history.revision(show)
                let object = ComparableObject.normalized(revision.component)
                StandardOutput.write(output == .json ? object.jsonString(pretty: true) + "\n" : object.yamlString())
                return false
            }
            if diff.count == 2 {
                let old = try history.revision(diff[0])
                let new = try history.revision(diff[1])
                let unified = UnifiedDiff(
                    old: ComparableObject.yaml(old.component), new: ComparableObject.yaml(new.component),
                    oldLabel: old.name, newLabel: new.name)
                StandardOutput.write(unified.text(on: terminal))
                return !unified.isEmpty
            }
            switch output {
            case let format?: StandardOutput.write(format.text(history.json))
            case nil: StandardOutput.write(history.table(on: terminal, now: Date()))
            }
            return false
        }
        if different { throw ExitStatus.failure }
    }
}

/// A Component's revisions, oldest first, with the AppConfigs of the namespace that use each.
struct ComponentHistory: Sendable {
    struct Revision: Sendable {
        var name: String
        var number: Int64
        var created: String?
        /// The Component as the revision recorded it.
        var component: JSONValue
        /// AppConfigs that run it (following the latest revision) or pin it.
        var users: [(name: String, pinned: Bool)] = []
        var latest: Bool
    }

    var component: String
    var namespace: String
    var revisions: [Revision]

    /// Reads the revisions of `component` (by their component label) and the namespace's
    /// AppConfigs.
    ///
    /// - Throws: ``CommandFailure`` when the component has no revision.
    static func read(component: String, namespace: String, client: KubernetesClient) async throws -> ComponentHistory {
        let selector = try LabelSelector([.init(key: OAM.Label.controllerRevisionComponent, operator: .equals, values: [component])])
        let objects = try await client.listAll(
            OAMKinds.controllerRevision, namespace: namespace, options: ListOptions(labelSelector: selector)).items
        let live = try? await client.get(OAMKinds.component, name: component, namespace: namespace)
        guard !objects.isEmpty else {
            throw CommandFailure(
                live == nil
                    ? "Component \(component) not found in namespace \(namespace)"
                    : "Component \(component) has no revision yet in namespace \(namespace)",
                hint: live == nil ? "-n picks another namespace" : "the controller records one when it sees the Component; is it running?")
        }
        let latest = live?.status?["latestRevision"]?["name"]?.stringValue
        var revisions = objects.map { object in
            Revision(
                name: object.name, number: object.object["revision"]?.intValue ?? 0, created: object.creationTimestamp,
                component: object.object["data"] ?? .emptyObject, latest: object.name == latest)
        }.sorted { $0.number < $1.number }

        let appConfigs = (try? await client.listAll(OAMKinds.applicationConfiguration, namespace: namespace))?.items ?? []
        for appConfig in appConfigs.sorted(by: { $0.name < $1.name }) {
            for entry in appConfig.spec?["components"]?.arrayValue ?? [] {
                if let pinned = entry["revisionName"]?.stringValue, let index = revisions.firstIndex(where: { $0.name == pinned }) {
                    revisions[index].users.append((appConfig.name, true))
                    continue
                }
                guard entry["componentName"]?.stringValue == component else { continue }
                let running = (appConfig.status?["workloads"]?.arrayValue ?? [])
                    .first { $0["componentName"]?.stringValue == component }?["componentRevisionName"]?.stringValue
                if let running, let index = revisions.firstIndex(where: { $0.name == running }) {
                    revisions[index].users.append((appConfig.name, false))
                }
            }
        }
        return ComponentHistory(component: component, namespace: namespace, revisions: revisions)
    }

    /// The revision `reference` names: `3`, `v3` or `web-v3`.
    func revision(_ reference: String) throws -> Revision {
        let number = Int64(reference) ?? (reference.first == "v" ? Int64(reference.dropFirst()) : nil)
        if let found = revisions.first(where: { $0.name == reference || (number != nil && $0.number == number) }) {
            return found
        }
        throw CommandFailure(
            "Component \(component) has no revision \(reference)",
            hint: "it has " + revisions.map { "\($0.number)" }.joined(separator: ", ") + " (`mizzen revisions \(component)` lists them)")
    }

    func table(on terminal: Terminal, now: Date) -> String {
        var table = Table(["REVISION", "NUMBER", "AGE", "IN-USE-BY"])
        for revision in revisions {
            let users = revision.users.map { $0.name + ($0.pinned ? " (pinned)" : "") }.joined(separator: ",")
            table.append([
                revision.name + (revision.latest && terminal.isTTY ? " *" : ""), String(revision.number),
                KindTable.age(revision.created, now: now), users.isEmpty ? "-" : users,
            ])
        }
        return table.render(on: terminal)
    }

    var json: JSONValue {
        .array(revisions.map { revision in
            var members: JSONObject = ["name": .string(revision.name), "revision": .int(revision.number)]
            if let created = revision.created { members["created"] = .string(created) }
            members["latest"] = .bool(revision.latest)
            members["inUseBy"] = .array(revision.users.map { ["name": .string($0.name), "pinned": .bool($0.pinned)] })
            return .object(members)
        })
    }
}
