import Resources

extension ProtobufCodec {
    /// Whether a client's `Accept` header prefers Kubernetes protobuf to JSON, as kube-apiserver
    /// negotiates: the media range with the highest `q` wins, the first listed among equals.
    ///
    /// `application/vnd.kubernetes.protobuf,application/json` (client-go's typed clients) prefers
    /// protobuf; `application/json, */*` and `application/vnd.kubernetes.protobuf;as=Table;…`
    /// (a Table, which has no protobuf form here) do not.
    public static func prefersProtobuf(accept: String) -> Bool {
        var best: (quality: Double, isProtobuf: Bool)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
            guard let type = parts.first, !type.isEmpty else { continue }
            var quality = 1.0
            var asKind = false
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                guard pair.count == 2 else { continue }
                if pair[0] == "q" { quality = Double(pair[1]) ?? 0 }
                if pair[0] == "as" { asKind = true }
            }
            guard quality > 0 else { continue }
            let isProtobuf = type == mediaType && !asKind
            if best == nil || quality > best!.quality { best = (quality, isProtobuf) }
        }
        return best?.isProtobuf ?? false
    }

    /// Whether every media range of a client's `Accept` header is Kubernetes protobuf, so that
    /// an object with no protobuf form (a custom resource, a Table) cannot be answered: kube-apiserver
    /// then answers 406 Not Acceptable.
    public static func acceptsOnlyProtobuf(accept: String) -> Bool {
        let types = accept.split(separator: ",").compactMap {
            $0.split(separator: ";").first?.trimmingCharacters(in: " \t")
        }.filter { !$0.isEmpty }
        return !types.isEmpty && types.allSatisfy { $0 == mediaType }
    }

    /// The protobuf body of a JSON response, when the client prefers protobuf and the object has
    /// a protobuf form (built-in objects, their lists, `Status`); nil to answer JSON (custom
    /// resources, Tables, discovery documents, or a client that prefers JSON).
    public static func responseBody(for object: JSONValue, accept: String) -> [UInt8]? {
        guard prefersProtobuf(accept: accept),
            let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            hasMessage(apiVersion: apiVersion, kind: kind)
        else { return nil }
        return try? encode(object)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        var text = self
        while let first = text.first, characters.contains(first) { text = text.dropFirst() }
        while let last = text.last, characters.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
