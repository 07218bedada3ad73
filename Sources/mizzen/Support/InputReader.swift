import OrderedCollections
import Foundation
import OAM
import Resources

/// Reads the documents of files, directories and standard input.
struct InputReader {
    /// A file that could not be read or parsed; the command exits 2.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Every document of every path, in the order given (directory entries sorted).
    static func read(_ paths: [String]) throws(Failure) -> [Document] {
        var documents: [Document] = []
        var failures: [String] = []
        for path in paths {
            for file in expand(path, failures: &failures) {
                do {
                    let text = try contents(of: file)
                    documents += try DocumentDecoder.decode(text, file: file == "-" ? "<stdin>" : file)
                } catch let error as DecodeError {
                    failures.append(error.description)
                } catch {
                    failures.append("\(file): \(error)")
                }
            }
        }
        if !failures.isEmpty { throw Failure(description: failures.joined(separator: "\n")) }
        return documents
    }

    private static func expand(_ path: String, failures: inout [String]) -> [String] {
        if path == "-" { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            failures.append("\(path): no such file or directory")
            return []
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            failures.append("\(path): cannot list the directory")
            return []
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let ext = (relative as NSString).pathExtension.lowercased()
            if extensions.contains(ext) { files.append((path as NSString).appendingPathComponent(relative)) }
        }
        if files.isEmpty { failures.append("\(path): the directory holds no .yaml, .yml or .json file") }
        return files.sorted()
    }

    private static func contents(of file: String) throws -> String {
        if file == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let text = String(data: data, encoding: .utf8) else {
                throw Failure(description: "<stdin>: not UTF-8 text")
            }
            return text
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Failure(description: "\(file): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "\(file): not UTF-8 text")
        }
        return text
    }
}

/// Writes to standard error.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
