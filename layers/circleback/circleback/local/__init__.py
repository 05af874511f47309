"""Local tools, installed with the package but never in the Lambda layer: the embedded AWS emulator (moto) with
the template's table, the `--local` store kept in a file, a stand-in for API Gateway on 127.0.0.1, and the demo.
"""
