"""File writing shared by ``seqgan_tf`` and ``cyclegan_tf``.

Standard library only, so SeqGAN's data modules and the tools that never load TensorFlow
can use it, and CycleGAN needs nothing from ``seqgan_tf`` for it.
"""
