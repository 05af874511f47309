"""The only modules that talk to AWS (boto3), each creating its client lazily and taking one injected.

store: DynamoDB; ses: sending the digest; sqs: the digest queue; secrets: the signing keys; stack: the
deployed stack's outputs (CloudFormation); call_budgets: how long each client may try.
"""
