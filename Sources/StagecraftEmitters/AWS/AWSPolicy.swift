/// IAM policy documents as `jsonencode({ … })` expressions.
enum AWSPolicy {
    static func document(_ statements: [HCLValue]) -> HCLValue {
        .call("jsonencode", [["Version": "2012-10-17", "Statement": .list(statements)]])
    }

    /// `resources` is a list, or an expression that makes one.
    static func allow(_ actions: [String], resources: HCLValue) -> HCLValue {
        ["Effect": "Allow", "Action": .strings(actions), "Resource": resources]
    }

    static func assumeRole(_ service: String) -> HCLValue {
        document([["Effect": "Allow", "Principal": ["Service": .string(service)], "Action": "sts:AssumeRole"]])
    }
}
