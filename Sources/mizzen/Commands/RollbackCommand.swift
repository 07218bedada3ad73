import ArgumentParser
import KubeClient
import OAM
import OAMControllers
import OrderedCollections
import Resources

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make an application run an earlier revision of one of its components.",
        discussion: """
            By default the AppConfig's entry of the component is pinned: its componentName is \
            replaced by revisionName: COMPONENT-vN, and the controller renders that revision's \
            snapshot whatever the Component becomes. Undo it with --to latest, which puts \
            componentName back so that the entry follows the Component's latest revision again.

            --restore-component instead sets the Component's spec to the revision's: the \
            controller records it as a new revision, and every AppConfig following the \
            Component (not only APP) runs it. Undo it with another --restore-component --to \
            the revision that was latest before.

            The change is a patch of spec.components (or the Component's spec) under the field \
            manager mizzen-rollback, guarded by the object's resourceVersion. A later `mizzen up` \
            of files that still say componentName stops at a conflict on spec.components, so a \
            rollback is not undone unnoticed: write revisionName in the files, or run `up \
            --force-conflicts` to go back to what they say.

            --dry-run changes nothing and prints what would change, as `mizzen diff` does: the \
            AppConfig (or Component), then each rendered object the controllers would apply, \
            dry-run on the server.

            REVISION is a number (1), vN or the full name (web-v1); `mizzen revisions COMPONENT` \
            lists them.

            Exit codes: 0 done (or nothing to do); with --dry-run 0 no difference, 1 a \
            difference; 1 no such application, component or revision, or the server refused the \
            change; 2 wrong usage (no --component for an application of several components).

            Examples:
              mizzen rollback shop --component web --to 1
              mizzen rollback shop --component web --to 1 --dry-run
              mizzen rollback shop --component web --to latest
              mizzen rollback shop --component web --to 1 --restore-component
            """)

    @Argument(help: "The ApplicationConfiguration.")
    var application: String

    @Option(help: "The component to roll back (needed when the application has several).")
    var component: String?

    @Option(help: ArgumentHelp("The revision to run: N, vN, COMPONENT-vN, or latest (unpin).", valueName: "revision"))
    var to: String

    @Flag(help: "Set the Component's spec to the revision's instead of pinning the AppConfig's entry.")
    var restoreComponent = false

    @Flag(help: "Change nothing; print what would change, as `mizzen diff`.")
    var dryRun = false

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "With --dry-run: json or yaml instead of the diff.")
    var output: DataFormat?

    @OptionGroup var style: StyleOptions

    /// The field manager rollback's patches are recorded under.
    static let fieldManager = "mizzen-rollback"

    func validate() throws {
        if restoreComponent, to == "latest" {
            throw ValidationError("--restore-component needs a revision: the Component already is its latest revision")
        }
        if output != nil, !dryRun { throw ValidationError("-o applies to --dry-run only") }
    }

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        let report = try await connected.use { target -> DiffReport? in
            // The patch is guarded by the resourceVersion it was planned from; when the object
            // changed meanwhile (the controller writes the AppConfig's status), plan again.
            var attempt = 0
            var plan: Plan
            var after: Resource
            while true {
                attempt += 1
                plan = try await Self.plan(
                    application: application, component: component, to: to, restore: restoreComponent, target: target)
                guard let patch = plan.patch else {
                    StandardOutput.write(plan.message + "\n")
                    return nil
                }
                let options = WriteOptions(fieldManager: Self.fieldManager, dryRun: dryRun)
                do {
                    after = try await target.client.patch(
                        plan.object.groupVersionKind, name: plan.object.name, namespace: plan.object.namespace,
                        patch: patch, type: .json, options: options)
                    break
                } catch let error as APIError {
                    let changedMeanwhile = error.reason == .conflict
                        || error.message.contains("testing value /metadata/resourceVersion failed")
                    if changedMeanwhile, attempt < Self.attempts { continue }
                    throw CommandFailure(
                        "cannot change \(plan.object.kind)/\(plan.object.name): \(error.message)",
                        hint: changedMeanwhile ? "it kept changing meanwhile (\(attempt) attempts); run again" : nil)
                }
            }
            guard dryRun else {
                var message = plan.message
                if let handover = plan.handover {
                    message += await Self.handBack(handover, written: after, client: target.client)
                }
                StandardOutput.write(message + "\n")
                return nil
            }
            var report = DiffReport()
            report.changes.append(DiffReport.Change(live: plan.object, desired: after))
            try await DiffCommand.addRendered([after], to: &report, target: target)
            return report
        }
        guard let report else { return }
        switch output {
        case let format?: StandardOutput.write(format.text(report.json))
        case nil: StandardOutput.write(report.text(on: terminal))
        }
        if report.hasDifferences { throw ExitStatus.failure }
    }

    /// How many times a rollback is planned and sent while the object keeps changing under it.
    static let attempts = 5

    /// What a rollback changes: the object, a JSON patch of it (`nil`: nothing to do) and what
    /// to tell the user once done.
    struct Plan {
        var object: Resource
        var patch: JSONValue?
        /// Whom `spec.components` goes back to once the AppConfig is written.
        var handover: Handover? = nil
        var message: String

        /// The owners of `spec.components` before the write (see ``ComponentsOwnership``), and
        /// whether rollback gives the list up (an unpin) or keeps it beside them (a pin).
        struct Handover {
            var owners: [JSONValue]
            var release: Bool
        }
    }

    /// Gives `spec.components` back to the owners it had before the write that made `written`
    /// (see ``ComponentsOwnership``), with an edit of managedFields alone, guarded by the
    /// resourceVersion and tried again when the controller wrote the status meanwhile. What to
    /// add to the message: where the list's ownership is now, or a warning.
    static func handBack(_ handover: Plan.Handover, written: Resource, client: KubernetesClient) async -> String {
        let names = ComponentsOwnership.names(handover.owners)
        let owners = names.joined(separator: ", ")
        var object = written
        for attempt in 1...5 {
            let entries = object.metadata["managedFields"]?.arrayValue ?? []
            // Someone else wrote the list since (a forced apply): it is theirs now.
            guard !ComponentsOwnership.owners(in: entries, except: "").filter({ $0["manager"]?.stringValue == fieldManager }).isEmpty
            else { return "" }
            let wanted = ComponentsOwnership.handedBack(
                entries, owners: handover.owners, manager: fieldManager, release: handover.release)
            do {
                if wanted != entries {
                    _ = try await client.patch(
                        object.groupVersionKind, name: object.name, namespace: object.namespace,
                        patch: ComponentsOwnership.patch(resourceVersion: object.resourceVersion ?? "", entries: wanted),
                        type: .json, options: WriteOptions(fieldManager: fieldManager))
                }
                switch (handover.release, names.isEmpty) {
                case (true, false): return "\n  spec.components is owned by \(owners) again, as before the pin"
                case (true, true): return "\n  \(fieldManager) no longer owns spec.components"
                case (false, false): return "\n  spec.components stays \(owners)'s too: an apply of a file that still says componentName: conflicts with the pin"
                case (false, true): return ""
                }
            } catch {
                guard attempt < 5,
                    let again = try? await client.get(object.groupVersionKind, name: object.name, namespace: object.namespace)
                else {
                    return "\n  warning: cannot give spec.components back to \(names.isEmpty ? "its owners" : owners): \(error)"
                }
                object = again
            }
        }
        return ""
    }

    /// Works out the patch, naming what exists whenever the application, the component or the
    /// revision is not found.
    static func plan(
        application: String, component: String?, to reference: String, restore: Bool, target: Target
    ) async throws -> Plan {
        let client = target.client
        let namespace = target.namespace
        guard let appConfig = try await DiffCommand.existing(
            OAMKinds.applicationConfiguration, name: application, namespace: namespace, client: client)
        else {
            let names = ((try? await client.listAll(OAMKinds.applicationConfiguration, namespace: namespace))?.items ?? [])
                .map(\.name).sorted()
            throw CommandFailure(
                "ApplicationConfiguration \(application) not found in namespace \(namespace)",
                hint: names.isEmpty
                    ? "there is none in \(namespace); -n picks another namespace"
                    : "it has: \(names.joined(separator: ", "))")
        }
        let entries = appConfig.spec?["components"]?.arrayValue ?? []
        let entryNames = entries.map(Self.componentName(of:))
        let index: Int
        if let component {
            guard let found = entryNames.firstIndex(of: component) else {
                throw CommandFailure(
                    "ApplicationConfiguration \(application) has no component \(component)",
                    hint: "its components: \(entryNames.joined(separator: ", "))")
            }
            index = found
        } else {
            guard entries.count == 1 else {
                throw CommandFailure(
                    "ApplicationConfiguration \(application) has \(entries.count) components: say which with --component",
                    hint: "its components: \(entryNames.joined(separator: ", "))", status: ExitStatus.invalidInput)
            }
            index = 0
        }
        let name = entryNames[index]
        let entry = entries[index]
        let pinned = entry["revisionName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let running = (appConfig.status?["workloads"]?.arrayValue ?? [])
            .first { $0["componentName"]?.stringValue == name }?["componentRevisionName"]?.stringValue
        let subject = "ApplicationConfiguration/\(application)"
        let path = "/spec/components/\(index)"
        let owners = ComponentsOwnership.owners(
            in: appConfig.metadata["managedFields"]?.arrayValue ?? [], except: Self.fieldManager)
        let guardVersion: JSONValue = [
            "op": "test", "path": "/metadata/resourceVersion", "value": .string(appConfig.resourceVersion ?? ""),
        ]

        if reference == "latest" {
            guard let pinned else {
                return Plan(object: appConfig, patch: nil,
                            message: "\(subject): component \(name) already follows its latest revision; nothing to do")
            }
            var operations: [JSONValue] = [guardVersion, ["op": "remove", "path": .string(path + "/revisionName")]]
            operations.append(["op": "add", "path": .string(path + "/componentName"), "value": .string(name)])
            return Plan(
                object: appConfig, patch: .array(operations), handover: Plan.Handover(owners: owners, release: true),
                message: """
                    \(subject): component \(name) unpinned (was \(pinned)): the entry names componentName: \(name) \
                    again and follows the Component's latest revision
                    """)
        }

        let history = try await ComponentHistory.read(component: name, namespace: namespace, client: client)
        let revision = try history.revision(reference)

        if restore {
            if pinned != nil {
                throw CommandFailure(
                    "\(subject) pins component \(name) to \(pinned ?? "") with revisionName: restoring the Component would not change what it runs",
                    hint: "`mizzen rollback \(application) --component \(name) --to \(revision.number)` pins another revision",
                    status: ExitStatus.invalidInput)
            }
            guard let live = try await DiffCommand.existing(OAMKinds.component, name: name, namespace: namespace, client: client)
            else {
                throw CommandFailure("Component \(name) not found in namespace \(namespace)",
                                     hint: "pin the revision instead: leave out --restore-component")
            }
            let spec = revision.component["spec"] ?? .emptyObject
            let latest = history.revisions.first(where: \.latest)?.name ?? "its latest revision"
            if live.spec == spec {
                return Plan(object: live, patch: nil,
                            message: "Component/\(name) already has the spec of \(revision.name); nothing to do")
            }
            let operations: [JSONValue] = [
                ["op": "test", "path": "/metadata/resourceVersion", "value": .string(live.resourceVersion ?? "")],
                ["op": "replace", "path": "/spec", "value": spec],
            ]
            return Plan(
                object: live, patch: .array(operations),
                message: """
                    Component/\(name) restored to the spec of \(revision.name) (was \(latest)): the controller records it \
                    as a new revision, and every ApplicationConfiguration following \(name) runs it
                      undo: mizzen rollback \(application) --component \(name) --to \(latest) --restore-component
                    """)
        }

        if pinned == revision.name {
            return Plan(object: appConfig, patch: nil,
                        message: "\(subject): component \(name) is already pinned to \(revision.name); nothing to do")
        }
        var operations: [JSONValue] = [guardVersion]
        if entry["componentName"] != nil {
            operations.append(["op": "remove", "path": .string(path + "/componentName")])
        }
        operations.append(["op": "add", "path": .string(path + "/revisionName"), "value": .string(revision.name)])
        let was = pinned.map { "pinned to \($0)" } ?? running.map { "ran \($0)" } ?? "followed the latest revision"
        return Plan(
            object: appConfig, patch: .array(operations), handover: Plan.Handover(owners: owners, release: false),
            message: """
                \(subject): component \(name) pinned to \(revision.name) (it \(was)): spec.components[\(index)] says \
                revisionName: \(revision.name) instead of componentName: \(name)
                  undo: mizzen rollback \(application) --component \(name) --to latest
                """)
    }

    /// The component an entry names, directly or through its revision.
    static func componentName(of entry: JSONValue) -> String {
        if let revision = entry["revisionName"]?.stringValue, !revision.isEmpty {
            return Component.Revision.componentName(ofRevision: revision)
        }
        return entry["componentName"]?.stringValue ?? ""
    }
}
