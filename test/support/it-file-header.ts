// The header of an It run file as the lab's instrument writes it, for tests that write the table themselves.
export const IT_HEADER = `#Procedure: <laser_setup.procedures.It.It>
#Parameters:
#\tChip group name: Alisson
#\tChip number: 80
#\tLaser voltage: 1.25 V
#\tLaser wavelength: 455
#\tProcedure version: 2.2.0
#\tVDS: 0.1 V
#\tVG: -1 V
#Metadata:
#\tStart time: 1760371684.3180444
#Data:
`;

/** The column line of its table. */
export const IT_COLUMNS = 't (s),I (A),VL (V),Plate T (degC),Ambient T (degC),Clock (ms)\n';
