"""The client side: an HTTP client for the depositary's API, local key files, act drafting.

Private keys stay on the client: they are read from local files, used to sign
here, and never sent anywhere.
"""
