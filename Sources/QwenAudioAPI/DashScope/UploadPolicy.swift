extension DashScope {
    /// The getPolicy answer (spec §7.1): `{"request_id":…,"data":{…}}`.
    public struct UploadPolicyResponse: Codable, Sendable, Equatable {
        public var requestID: String
        public var data: UploadPolicy

        public init(requestID: String, data: UploadPolicy) {
            self.requestID = requestID
            self.data = data
        }

        enum CodingKeys: String, CodingKey {
            case requestID = "request_id"
            case data
        }
    }

    /// An upload certificate, OSS PostObject style. The SDK requires `policy`, `signature`, `upload_dir`,
    /// `upload_host`, `oss_access_key_id`, `x_oss_object_acl` and `x_oss_forbid_overwrite`; the three sizes and
    /// the lifetime are informative.
    public struct UploadPolicy: Codable, Sendable, Equatable {
        /// base64 of the signed policy JSON (expiration, conditions, the bound model).
        public var policy: String
        /// base64(HMAC-SHA1(server secret, policy)).
        public var signature: String
        /// The prefix every uploaded key must start with (`dashscope-instant/<owner>/<date>/<uuid>`).
        public var uploadDir: String
        /// The absolute URL the multipart form is posted to.
        public var uploadHost: String
        public var expireInSeconds: Int
        public var maxFileSizeMB: Int
        public var capacityLimitMB: Int
        public var ossAccessKeyID: String
        /// `"private"`.
        public var xOssObjectACL: String
        /// `"true"` (a string on the wire).
        public var xOssForbidOverwrite: String

        public init(
            policy: String,
            signature: String,
            uploadDir: String,
            uploadHost: String,
            expireInSeconds: Int,
            maxFileSizeMB: Int,
            capacityLimitMB: Int,
            ossAccessKeyID: String,
            xOssObjectACL: String = "private",
            xOssForbidOverwrite: String = "true"
        ) {
            self.policy = policy
            self.signature = signature
            self.uploadDir = uploadDir
            self.uploadHost = uploadHost
            self.expireInSeconds = expireInSeconds
            self.maxFileSizeMB = maxFileSizeMB
            self.capacityLimitMB = capacityLimitMB
            self.ossAccessKeyID = ossAccessKeyID
            self.xOssObjectACL = xOssObjectACL
            self.xOssForbidOverwrite = xOssForbidOverwrite
        }

        enum CodingKeys: String, CodingKey {
            case policy, signature
            case uploadDir = "upload_dir"
            case uploadHost = "upload_host"
            case expireInSeconds = "expire_in_seconds"
            case maxFileSizeMB = "max_file_size_mb"
            case capacityLimitMB = "capacity_limit_mb"
            case ossAccessKeyID = "oss_access_key_id"
            case xOssObjectACL = "x_oss_object_acl"
            case xOssForbidOverwrite = "x_oss_forbid_overwrite"
        }

        /// The multipart form fields before the file, in the order the SDK sends them (spec §7.2); the `file`
        /// field (no Content-Type) must follow last.
        /// - Parameters:
        ///   - fileName: the base name of the local file, raw UTF-8.
        ///   - contentType: the `x-oss-content-type` guess (the server does not trust it).
        /// - Returns: name/value pairs; the object key is `upload_dir + "/" + fileName`.
        public func formFields(
            fileName: String,
            contentType: String = "application/octet-stream"
        )
            -> [(name: String, value: String)]
        {
            [
                ("OSSAccessKeyId", ossAccessKeyID),
                ("Signature", signature),
                ("policy", policy),
                ("key", uploadDir + "/" + fileName),
                ("x-oss-object-acl", xOssObjectACL),
                ("x-oss-forbid-overwrite", xOssForbidOverwrite),
                ("success_action_status", "200"),
                ("x-oss-content-type", contentType),
            ]
        }
    }
}
