"""The part of mlcore that imports Keras: model building, training, the peak-FLOP/s probe.

It runs only inside the training worker process (:mod:`mlcore.worker`) or the command line,
never in the web process. Written against Keras 3's own API, so it runs under the TensorFlow
backend (the default) and also under ``KERAS_BACKEND=jax`` or ``torch``.
"""
