import ArgumentParser
import Foundation
import OAM
import OrderedCollections
import Resources

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold a Component and an ApplicationConfiguration that validate and come up with `mizzen up`.",
        discussion: """
            Writes DIR/component.yaml (a Component running --image, as a ContainerizedWorkload — \
            whose controller makes a Deployment, and a Service for --port — or, with \
            --workload deployment or when a trait asks for it, a Deployment; its image a \
            parameter) and DIR/appconfig.yaml (an ApplicationConfiguration running it with each \
            --trait). A trait is named as `mizzen catalog` lists it (its definition name, kind, \
            or plural: manualscalertraits, ManualScalerTrait, routetraits.standard.oam.dev) and \
            filled with the smallest spec its schema accepts, or its catalog example's when that \
            needs values; a port in it becomes --port. The files are checked as `mizzen validate` \
            checks them before they are written, and existing files are never overwritten.

            Exit codes: 0 written, 1 a file exists already (nothing is written), 2 invalid \
            usage: a bad name or port, or an unknown trait (the known ones are listed).

            Examples:
              mizzen init shop --name web --image nginx:1.27 --port 80
              mizzen init --name api --image ghcr.io/acme/api:2 --trait manualscalertrait --trait routetrait
              mizzen up -f shop --wait
            """)

    @Argument(help: "The directory to write to (created when missing).")
    var directory: String = "."

    @Option(help: "The component's and the application's name (a DNS label: lower case letters, digits, -).")
    var name: String

    @Option(help: "The container image.")
    var image: String

    @Option(help: "The port the container listens on.")
    var port: Int?

    @Option(name: .customLong("trait"), help: ArgumentHelp("A trait from the catalog (repeatable).", valueName: "name"))
    var traits: [String] = []

    @Option(help: ArgumentHelp("containerized or deployment (default: containerized, unless a trait applies only to Deployments).", valueName: "kind"))
    var workload: WorkloadChoice?

    enum WorkloadChoice: String, ExpressibleByArgument, CaseIterable {
        case containerized
        case deployment
    }

    func validate() throws {
        let label = #/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/#
        guard name.count <= 63, name.wholeMatch(of: label) != nil else {
            throw ValidationError("--name \"\(name)\" is not a DNS label: at most 63 lower case letters, digits and -, starting and ending with a letter or digit")
        }
        guard !image.trimmingCharacters(in: .whitespaces).isEmpty, !image.contains(" ") else {
            throw ValidationError("--image \"\(image)\" is not an image reference")
        }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port \(port) is not between 1 and 65535") }
    }

    func run() throws {
        let resolved: (traits: [CatalogEntry], workload: Scaffold.Workload)
        do {
            resolved = try Scaffold.resolve(
                traits: traits, in: CatalogReader.builtins(), preferred: workload.flatMap { Scaffold.Workload(rawValue: $0.rawValue) })
        } catch {
            throw CommandFailure(error.description, hint: "`mizzen catalog` shows every trait and what it applies to", status: ExitStatus.invalidInput)
        }
        let scaffold = Scaffold(name: name, image: image, port: port, workload: resolved.workload, traits: resolved.traits)
        let files = scaffold.files
        let folder = URL(fileURLWithPath: directory)
        let paths = files.map { folder.appendingPathComponent($0.name).path }
        let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            throw CommandFailure(
                "\(existing.map(Self.display).joined(separator: " and ")) already exist\(existing.count == 1 ? "s" : ""): init never overwrites a file, and wrote nothing",
                hint: "give another directory (`mizzen init DIR …`) or move the file away")
        }

        // What is written must validate: a failure here is a fault of the catalog entry's example.
        var documents: [Document] = []
        for (file, path) in zip(files, paths) { documents += (try? DocumentDecoder.decode(file.text, file: Self.display(path))) ?? [] }
        let diagnostics = ManifestSet(documents: documents).validate().sortedByLocation
        if diagnostics.hasErrors {
            for diagnostic in diagnostics { StandardError.write(diagnostic.description) }
            throw CommandFailure(
                "the scaffold does not validate, so nothing was written",
                hint: "a trait's catalog example may be wrong; leave that --trait out and add the trait by hand (`mizzen catalog show NAME`)")
        }

        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (file, path) in zip(files, paths) {
                // `withoutOverwriting`: a file that appeared since the check is not replaced.
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
                StandardOutput.writeLine("created \(Self.display(path))")
            }
        } catch {
            throw CommandFailure("cannot write to \(directory): \(error.localizedDescription)")
        }
        StandardError.write("next: mizzen validate -f \(directory) && mizzen up -f \(directory) --wait")
    }

    private static func display(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
    }
}
