// The MPI implementation of Cluster: the plugin libsimnas_mpi.so (mpi_cluster.cpp, built only
// with SIMNAS_WITH_MPI), opened by OpenCluster when an MPI launcher started the process, so that
// a process started otherwise never loads MPI.
#pragma once

#include "simnas/parallel/cluster.h"

// The plugin's entry point: initializes MPI (thread level serialized: rank 0 serves the other
// ranks from a thread of its own while its main thread computes) and returns a new cluster
// (owned by the caller) that finalizes MPI when it is destroyed. Throws simnas::Error.
extern "C" simnas::Cluster* simnas_mpi_open_cluster(int* argc, char*** argv);
