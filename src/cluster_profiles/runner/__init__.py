"""Pages -> files: notebook kinds, kernels, papermill and nbconvert, single renders, batches and the site."""
